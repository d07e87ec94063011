export { newKafka, newMongoClient, newS3Client, uniqueName } from './clients';
export { ensureLocalInfra, infraAnswers, localInfra, repoRoot, type LocalInfra } from './local-infra';
export { readTopic } from './kafka';
export { isolatedStageEnv } from './stage-env';
export { freePort, freePortRange } from './ports';
export { StageHarness, type BundledDataset, type StageName } from './stages';
export { TopicCollector } from './topic-collector';
export { pollDuring, type PollAnswer } from './poll';
export { MemoryArtifacts, MemoryRegistry } from './memory-stores';
