// One warm Lambda container: a child process the harness forks per function instance (a function's
// environment is process-global, as in Lambda). It imports the function's bundle once (ESM caches it:
// module-level state survives between invocations, as in a warm container) and runs each invocation
// with lambda-local, whose context is a real one: getRemainingTimeInMillis counts down from the
// template's Timeout, and an invocation past it fails with "Task timed out after N seconds" (the
// handler is not killed, as Lambda would; the harness treats the container as spent).
//
// The clock: the harness tells each invocation how far the functions' wall clock is ahead of real
// time (clockOffsetMs), so a test can run a tick "4.5 minutes into the period" without waiting.
// Date (and so Date.now, new Date(), lambda-local's own countdown) is shifted by that offset; time
// still flows at its real rate.
import lambdaLocal from 'lambda-local';

const RealDate = Date;
let clockOffsetMs = 0;
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + clockOffsetMs);
    else super(...args);
  }
  static now() {
    return RealDate.now() + clockOffsetMs;
  }
}
globalThis.Date = ShiftedDate;

const [lambdaPath, lambdaHandler, functionName, timeoutMs, memory] = process.argv.slice(2);

process.on('message', (message) => {
  if (message?.type !== 'invoke') return;
  clockOffsetMs = message.clockOffsetMs;
  lambdaLocal
    .execute({
      event: message.event,
      lambdaPath,
      lambdaHandler,
      esm: true,
      timeoutMs: Number(timeoutMs),
      verboseLevel: -1,
      contextOverwrite: (ctx) => {
        ctx.functionName = functionName;
        ctx.memoryLimitInMB = memory;
        ctx.awsRequestId = message.requestId;
        ctx.invokedFunctionArn = message.functionArn;
      },
    })
    .then(
      (result) => process.send({ type: 'result', id: message.id, ok: true, result: result ?? null }),
      (error) =>
        process.send({
          type: 'result',
          id: message.id,
          ok: false,
          error: { message: error?.errorMessage ?? error?.message ?? String(error), type: error?.errorType ?? error?.name ?? 'Error' },
        }),
    );
});
process.send({ type: 'ready' });
