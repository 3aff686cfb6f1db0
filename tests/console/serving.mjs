// Runs a Python script that sets up a node, prints one JSON line about it and serves until its
// standard input closes (tests/console/fixture.py, bench/console/store.py). Resolves with that
// JSON, plus stop(): close its input and wait for it to exit.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export function startServing(script, args = []) {
  const proc = spawn('python3', [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`${script} exited ${code} before it was ready`)));
    createInterface({ input: proc.stdout }).once('line', (line) => {
      const info = JSON.parse(line);
      info.stop = () => new Promise((done) => {
        proc.removeAllListeners('exit');
        if (proc.exitCode !== null) return done(proc.exitCode);
        proc.on('exit', done);
        proc.stdin.end();
      });
      resolve(info);
    });
  });
}
