// Placeholder until the lifecycle issue lands: the api Lambda entry.
export const handler = (): Promise<{ statusCode: number; body: string }> =>
  Promise.resolve({ statusCode: 501, body: 'not implemented yet' });
