import { isTopicName, type TopicName } from '@pricelevel/contracts';

/** Runtime guard for callers outside the type system (config, CLI): a clear error, not a TypeError later. */
export function assertTopic(topic: string): asserts topic is TopicName {
  if (!isTopicName(topic)) throw new Error(`unknown bus topic '${topic}'`);
}

export function assertOutgoing(
  topic: string,
  messages: readonly { key: unknown; headers?: unknown }[],
): void {
  if (!Array.isArray(messages)) throw new TypeError(`publish(${topic}): messages must be an array`);
  for (const m of messages) {
    if (typeof m?.key !== 'string') throw new TypeError(`publish(${topic}): message key must be a string`);
    if (m.headers !== undefined) {
      for (const [k, v] of Object.entries(m.headers as object)) {
        if (typeof v !== 'string') throw new TypeError(`publish(${topic}): header '${k}' must be a string`);
      }
    }
  }
}
