/**
 * The contract between the broker's server and the code that answers requests (its own handlers and the
 * consumer-group coordinator in ./group/). A handler gets a decoded request and returns a response object; the
 * server does framing, correlation ids, response headers and in-order delivery.
 *
 * Decoded messages are plain objects whose keys are the Kafka JSON spec's field names with a lower-case first
 * letter (`groupId`, `memberId`, `protocols[].name`). Value types: int8/16/32, uint16, float64 → number;
 * int64 → number (offsets, ids and timestamps stay far below 2^53); bool → boolean; string → string (null where
 * the version makes it nullable); bytes/records → Buffer; uuid → 32-hex-digit string; arrays → arrays;
 * structs → objects. Fields a version does not carry are absent from a decoded request (omitted tagged fields
 * of flexible versions hold their spec default); when encoding a
 * response, an absent field takes the spec's default (0, '', false, empty array, or null where nullable), so a
 * handler returns only what it knows.
 *
 * Produce (API key 0) is the one exception to "a decoded request is the handler's to keep": its `records`
 * buffers may live in the connection's reused receive buffer, so a Produce handler must validate and store
 * (or copy) them before its first `await`; the built-in one writes them to the log synchronously.
 */

/** What the server tells a handler about the request it answers. */
export interface HandlerContext {
  /** The request's (and so the response's) version. */
  apiVersion: number;
  /** The header's client id, null if the client sent none. */
  clientId: string | null;
  /** Unique per TCP connection for the broker's lifetime, e.g. "c17-127.0.0.1:53122". */
  connectionId: string;
}

// The method form makes the parameter bivariant, so a handler typed with its own request interface
// (e.g. `(req: JoinGroupRequest, ctx) => Promise<JoinGroupResponse>`) is assignable without casts.
type HandlerShape = {
  handle(request: object, ctx: HandlerContext): Promise<object>;
};

/**
 * Answers one request. Return Kafka error codes inside the response (errorCode fields); a handler that throws
 * makes the server log the failure and close that connection, as Kafka does on an unexpected error.
 */
export type Handler = HandlerShape['handle'];

/** Handlers keyed by API key (11 = JoinGroup, ...). */
export type HandlerRegistry = ReadonlyMap<number, Handler>;

/** What the broker lends to an extension such as the group coordinator. */
export interface BrokerServices {
  /** This broker's node id (`node.id` / `broker.id`, default 1); FindCoordinator answers with it. */
  readonly nodeId: number;
  /** The advertised host and port clients connect to (what Metadata and FindCoordinator return). */
  readonly host: string;
  readonly port: number;
  /** The broker's data directory (`log.dirs`); `<dataDir>/__group_state/` belongs to the group coordinator. */
  readonly dataDir: string;
  /** The broker's configuration, Kafka property names → values as strings (defaults filled in). */
  config(name: string): string | undefined;
  /** Milliseconds since the epoch; tests may give the broker another clock. */
  now(): number;
  /** True if the topic exists and has that partition. */
  partitionExists(topic: string, partition: number): boolean;
  /** The number of partitions of a topic, undefined if it does not exist. */
  partitionCount(topic: string): number | undefined;
}

/**
 * An extension adds handlers to a broker: it is called once, after the broker's log is open and before it
 * listens, and returns the handlers it answers plus an optional close() run when the broker stops.
 * ApiVersions advertises an API only once a handler for it is registered.
 */
export interface BrokerExtensionInstance {
  handlers: HandlerRegistry;
  close?(): Promise<void>;
}

export type BrokerExtension = (services: BrokerServices) => BrokerExtensionInstance | Promise<BrokerExtensionInstance>;
