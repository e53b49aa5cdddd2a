export { Bus, type BusOptions, type RawHandler } from './bus.ts';
export { type MessageBus } from './message-bus.ts';
export { connectBus, isJetStreamUrl } from './connect.ts';
export { JetStreamBus, subjectOf, topicOf } from './jetstream-bus.ts';
export * from './topics.ts';
export { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.ts';
export { topicMatches } from './topic-match.ts';
