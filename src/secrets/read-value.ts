import { HelError } from '../errors.js';

/**
 * Reads a secret's value from stdin: the whole stream when it is a pipe or file, or one hidden
 * line typed at a prompt when it is a terminal. Trailing whitespace (the newline) is dropped.
 */
export async function readSecretValue(name: string, stdin: NodeJS.ReadStream = process.stdin, prompt: NodeJS.WriteStream = process.stderr): Promise<string> {
  const value = stdin.isTTY ? await readHidden(`Value for ${name} (input hidden): `, stdin, prompt) : await readAll(stdin);
  const trimmed = value.trim();
  if (trimmed === '') throw new HelError('HEL_USAGE', `secret ${name}: the value is empty`, { hint: `pipe the value on stdin, e.g. hel secrets set ${name} < token.txt` });
  return trimmed;
}

async function readAll(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function readHidden(question: string, stdin: NodeJS.ReadStream, prompt: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    prompt.write(question);
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    const finish = (error?: HelError) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      prompt.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new HelError('HEL_CANCELLED', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
