export function processCpuSeconds(pid: number): number;
export function processRssBytes(pid: number): number;
export function cpuMeter(pids: Record<string, number>): { read(): Record<string, number> };
