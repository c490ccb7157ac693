// Placeholder until the drip issue lands: the scheduled drip Lambda entry.
export const handler = (): Promise<void> => Promise.reject(new Error('not implemented yet'));
