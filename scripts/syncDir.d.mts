export function syncDir(from: string, to: string): { copied: string[]; removed: string[] };
