import { describe, expect, it } from 'vitest';
import { causedBy, rootEnvelope } from './envelope';

const producer = { service: 'cli', version: '0.1.0' };

describe('envelopes', () => {
  it('starts a causal chain at a root event', () => {
    const root = rootEnvelope('admin.commands', { producer, occurredAt: 1 });
    expect(root).toMatchObject({
      runId: null,
      causationId: null,
      correlationId: root.eventId,
      occurredAt: 1,
    });
    expect(root.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(root.schemaVersion).toBe(2); // the latest admin.commands version
  });

  it('carries run and correlation forward and points causation at the cause', () => {
    const command = rootEnvelope('admin.commands', { producer });
    const ingested = causedBy(
      'data.ingested',
      command,
      { service: 'ingestion', version: '0.1.0' },
      { runId: 'r1' },
    );
    const validated = causedBy('data.validated', ingested, { service: 'validation', version: '0.1.0' });
    expect(validated).toMatchObject({
      runId: 'r1',
      correlationId: command.eventId,
      causationId: ingested.eventId,
    });
    expect(validated.eventId).not.toBe(ingested.eventId);
  });

  it('stamps the latest schema version of the topic', () => {
    expect(rootEnvelope('traffic.predictions', { producer }).schemaVersion).toBe(3);
  });
});
