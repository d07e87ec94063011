import { describe, expect, it } from 'vitest';
import { TOPIC_CATALOGUE, topicSpecs } from './catalogue';
import { SERVICE_CATALOGUE, serviceSpecs, servicePort } from './services';

describe('service catalogue', () => {
  it('gives every service its own HTTP port', () => {
    const ports = serviceSpecs().map((s) => s.httpPort);
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) expect(port).toBeGreaterThan(1024);
    expect(servicePort('inference')).toBe(SERVICE_CATALOGUE.inference.httpPort);
  });

  it('agrees with the topic catalogue on who consumes what', () => {
    for (const service of serviceSpecs()) {
      const consumed = topicSpecs()
        .filter((t) => t.consumers.includes(service.name))
        .map((t) => t.name)
        .sort();
      expect([...service.inputTopics].sort(), service.name).toEqual(consumed);
    }
  });

  it('dead-letters each service to a dlq topic it is a producer of', () => {
    for (const service of serviceSpecs()) {
      const dlq = TOPIC_CATALOGUE[service.deadLetterTopic];
      expect(dlq.role, service.name).toBe('dlq');
      expect(dlq.producers, service.name).toContain(service.name);
    }
  });

  it('keeps the MongoDB ledger out of the serving path only', () => {
    for (const service of serviceSpecs()) {
      expect(service.delivery, service.name).toBe(
        service.role === 'serving' ? 'transactions' : 'transactions-and-ledger',
      );
    }
  });
});
