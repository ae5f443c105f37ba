// The messages of the `graph-sync` queue: one step of one run each. A step's id is fixed when its parent creates it
// (a hash of the parent's id and the child's position), so a message delivered twice is the same step and the run
// counts it once. Messages travel base64-encoded, the Functions host's default `messageEncoding`.
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** The Azure Storage queue of the Graph sync, and the one the host moves a message to after its last failed try. */
export const SYNC_QUEUE_NAME = 'graph-sync';
export const poisonQueueNameOf = (queueName: string): string => `${queueName}-poison`;
export const POISON_QUEUE_NAME = poisonQueueNameOf(SYNC_QUEUE_NAME);

/** The host's `maxDequeueCount` (host.json `extensions.queues`): tries before a message goes to the poison queue. */
export const MAX_DEQUEUE_COUNT = 5;

/** Azure's limit of one queue message, base64 text included. */
export const MAX_QUEUE_MESSAGE_BYTES = 64 * 1024;

/** The first step of every run. */
export const START_STEP = 'start';
/** The step the run machinery adds whenever every step of a phase is done; payload `{ "phase": n }`. */
export const DRAINED_STEP = 'drained';
export const START_STEP_ID = 'start';

const idPattern = /^[a-z0-9]{1,64}$/;

export const syncStepMessageSchema = z.strictObject({
  v: z.literal(1),
  integrationId: z.string().regex(idPattern),
  runId: z.string().regex(idPattern),
  stepId: z.string().regex(idPattern),
  kind: z.string().min(1).max(64),
  payload: z.json(),
});
export type SyncStepMessage = z.infer<typeof syncStepMessageSchema>;

/** A step a handler asks for: its kind and a small JSON payload (the machinery gives it an id). */
export interface SyncStepRequest {
  readonly kind: string;
  readonly payload: z.core.util.JSONType;
}

/** The id of the `index`th follow-up of step `parentStepId`: the same on every delivery of the parent. */
export function childStepId(parentStepId: string, index: number): string {
  return createHash('sha256').update(`${parentStepId}/${index}`).digest('hex').slice(0, 32);
}

export class MessageTooLargeError extends Error {
  constructor(kind: string, bytes: number) {
    super(`A "${kind}" step message is ${bytes} bytes once encoded; a queue message holds at most ${MAX_QUEUE_MESSAGE_BYTES}. Keep payloads small (ids and cursors, not data).`);
    this.name = 'MessageTooLargeError';
  }
}

/** The queue text of a message: base64 of its JSON, as the host's default `messageEncoding` expects. */
export function encodeStepMessage(message: SyncStepMessage): string {
  const text = Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
  if (text.length > MAX_QUEUE_MESSAGE_BYTES) throw new MessageTooLargeError(message.kind, text.length);
  return text;
}

export type StepMessageParse = { ok: true; message: SyncStepMessage } | { ok: false; problem: string };

/**
 * Reads what the queue trigger hands over: the host decodes base64 and passes JSON as an object (or text as a string).
 * Never throws: a message that cannot be a step is reported, so the caller can log and drop it.
 */
export function parseStepMessage(input: unknown): StepMessageParse {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return { ok: false, problem: 'the message is not JSON' };
    }
  }
  const result = syncStepMessageSchema.safeParse(value);
  if (!result.success) return { ok: false, problem: result.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ') };
  return { ok: true, message: result.data };
}
