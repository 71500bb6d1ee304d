/** Simulated latency of a slow backend (DEMO_DB_LATENCY_MS, default 150 ms), so the demo shows what a cache hit saves. */
export function latencyMs(): number {
  return Number(process.env.DEMO_DB_LATENCY_MS ?? 150);
}

export async function slowly<T>(value: T, ms = latencyMs()): Promise<T> {
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  return value;
}
