// A queue-consumer stand-in: prints a heartbeat every few seconds until stopped.
const name = process.env.SUPERVISOR_PROCESS_NAME ?? 'worker';
let n = 0;
setInterval(() => console.log(`${name}: processed job ${++n}`), 3000);
console.log(`${name}: ready`);
process.on('SIGTERM', () => {
  console.log(`${name}: finishing current job`);
  setTimeout(() => process.exit(0), 200);
});
