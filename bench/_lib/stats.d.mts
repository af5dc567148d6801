export function percentile(sorted: number[], q: number): number;
export function round(value: number, digits?: number): number;
