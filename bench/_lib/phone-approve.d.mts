export function answerPush(push: { approveUrl: string; denyUrl: string } | undefined, options?: { deny?: boolean; number?: number }): Promise<number>;
