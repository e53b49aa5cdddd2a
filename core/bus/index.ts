export { Bus, type BusOptions, type RawHandler } from './bus.ts';
export * from './topics.ts';
export { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.ts';
export { topicMatches } from './topic-match.ts';
