// The log the application and its adapters write to: structured details first, then a message
// (the order pino takes them in, so a pino logger or a child of one is a Logger as it is).

export interface Logger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}
