// The `rdkafka-raw-eos` side of the inference bench: consume -> produce of the same bytes with exactly-once
// through librdkafka (@confluentinc/kafka-javascript's KafkaJS-compatible API): ONE transactional producer
// for the process, offsets sent with the consumer's group metadata (KIP-447), so fencing needs no producer
// per partition. No decoding, no scoring: the ceiling a native client would give this path.
//   node rdkafka-eos.cjs <module dir> <brokers> <input topic> <output topic> <group id> [max batch]
// Prints READY once subscribed; the bench measures the group's committed offsets, as for the other sides.
'use strict';
const { join } = require('node:path');

const [moduleDir, brokers, input, output, groupId, maxBatch] = process.argv.slice(2);
const { KafkaJS } = require(join(moduleDir, 'node_modules/@confluentinc/kafka-javascript'));

async function main() {
  const kafka = new KafkaJS.Kafka({
    kafkaJS: { brokers: brokers.split(','), logLevel: KafkaJS.logLevel.ERROR },
  });
  const consumer = kafka.consumer({
    kafkaJS: { groupId, fromBeginning: true, autoCommit: false },
    'isolation.level': 'read_committed',
    'js.consumer.max.batch.size': Number(maxBatch ?? 2000),
  });
  const producer = kafka.producer({
    kafkaJS: { transactionalId: `${groupId}.tx`, idempotent: true, maxInFlightRequests: 1 },
    'linger.ms': 2,
  });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [input] });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 1,
    eachBatch: async ({ batch, resolveOffset }) => {
      const messages = batch.messages;
      if (messages.length === 0) return;
      const last = messages[messages.length - 1].offset;
      const transaction = await producer.transaction();
      try {
        await transaction.send({
          topic: output,
          messages: messages.map((m) => ({ key: m.key, value: m.value })),
        });
        await transaction.sendOffsets({
          consumer,
          topics: [
            { topic: input, partitions: [{ partition: batch.partition, offset: String(BigInt(last) + 1n) }] },
          ],
        });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
      resolveOffset(last);
    },
  });
  process.stdout.write('READY\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
