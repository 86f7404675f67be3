// Reads a server-sent event stream over a real socket, event by event, for the live-balance
// tests: `next()` waits (bounded) for the next `event:` block and returns its name and JSON data.
export interface StreamEvent {
  event: string;
  data: unknown;
}

export interface EventStreamReader {
  status: number;
  headers: Headers;
  next(timeoutMs?: number): Promise<StreamEvent>;
  close(): void;
}

const nextTimeoutMsDefault = 5_000;

export async function openEventStream(url: string, headers: Record<string, string>): Promise<EventStreamReader> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pending: StreamEvent[] = [];

  const parseBlocks = () => {
    let boundary = buffer.indexOf('\n\n');
    while (boundary >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
      const data = lines.find((line) => line.startsWith('data: '))?.slice(6);
      if (event !== undefined && data !== undefined) pending.push({ event, data: JSON.parse(data) });
      boundary = buffer.indexOf('\n\n');
    }
  };

  return {
    status: response.status,
    headers: response.headers,
    async next(timeoutMs = nextTimeoutMsDefault) {
      const deadline = Date.now() + timeoutMs;
      while (pending.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
        let timer: NodeJS.Timeout | undefined;
        const chunk = await Promise.race([
          reader.read(),
          new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), left);
          }),
        ]);
        clearTimeout(timer);
        if (chunk === 'timeout') continue;
        if (chunk.done) throw new Error('the stream ended');
        buffer += decoder.decode(chunk.value, { stream: true });
        parseBlocks();
      }
      return pending.shift()!;
    },
    close: () => controller.abort(),
  };
}
