// Sending step messages to the `graph-sync` queue with @azure/storage-queue (the Azure SDK's queue client: the same
// connection string or managed identity as Table Storage, retries and timeouts of the SDK pipeline). The queue is
// created on first use (Bicep creates it in Azure; Azurite starts empty).
import { QueueClient } from '@azure/storage-queue';
import type { Settings } from '../config.js';
import { storageCredential } from '../storage/table-clients.js';
import { encodeStepMessage, SYNC_QUEUE_NAME, type SyncStepMessage } from './step-messages.js';

export interface StepQueue {
  readonly name: string;
  send(message: SyncStepMessage): Promise<void>;
}

/** A queue client from the settings: the connection string (Azurite) or the queue endpoint and the app's identity. */
export function createQueueClient(settings: Settings, queueName: string): QueueClient {
  if (settings.AzureWebJobsStorage !== undefined) return new QueueClient(settings.AzureWebJobsStorage, queueName);
  if (settings.AzureWebJobsStorage__queueServiceUri === undefined) {
    throw new Error('Set AzureWebJobsStorage__queueServiceUri (identity-based storage) so the Graph sync can reach its queue.');
  }
  return new QueueClient(`${settings.AzureWebJobsStorage__queueServiceUri.replace(/\/+$/, '')}/${queueName}`, storageCredential(settings));
}

export class AzureStepQueue implements StepQueue {
  private created: Promise<unknown> | undefined;

  constructor(private readonly client: QueueClient) {}

  get name(): string {
    return this.client.name;
  }

  async send(message: SyncStepMessage): Promise<void> {
    const text = encodeStepMessage(message);
    this.created ??= this.client.createIfNotExists().catch((error: unknown) => {
      this.created = undefined;
      throw error;
    });
    await this.created;
    await this.client.sendMessage(text);
  }
}

export function createStepQueue(settings: Settings, queueName: string = SYNC_QUEUE_NAME): StepQueue {
  return new AzureStepQueue(createQueueClient(settings, queueName));
}
