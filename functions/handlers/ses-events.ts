// Placeholder until the feedback issue lands: the SES notification (SNS) Lambda entry.
export const handler = (): Promise<void> => Promise.reject(new Error('not implemented yet'));
