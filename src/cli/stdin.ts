// Reading a secret from standard input: piped (`printf %s "$PASSWORD" | gatehouse …`) or typed at a
// terminal without echo. One trailing newline is dropped, as `echo` adds one.
import { stdin, stderr } from 'node:process';
import { CliError } from './errors.js';

export async function readSecret(prompt: string): Promise<string> {
  return stdin.isTTY ? readHidden(prompt) : stripNewline(await readAll());
}

function stripNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    stderr.write(prompt);
    let typed = '';
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    const finish = (error?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: string): void => {
      for (const char of data) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new CliError('cancelled'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
