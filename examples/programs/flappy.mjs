// A worker that dies right after starting: shows BACKOFF, then FATAL once startretries run out.
console.error(`flappy ${process.pid}: cannot reach the queue, giving up`);
process.exit(1);
