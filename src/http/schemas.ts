import { TECHNIQUES } from '../model/types.js';

/** JSON schemas shared by the routes (request validation and response serialisation, and /docs). */
export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, field: { type: 'string' }, message: { type: 'string' }, row: { type: 'integer' } },
  required: ['error'],
} as const;

/** Error answers every route may give. */
export const errors = { '4xx': errorSchema, '5xx': errorSchema } as const;

const numberOrString = { type: ['number', 'string'] } as const;

export const curveSchema = {
  type: 'array',
  maxItems: 1000,
  items: { type: 'object', properties: { windowSec: { type: 'number' }, dirtiedBytes: { type: 'number' } }, required: ['windowSec', 'dirtiedBytes'] },
} as const;

export const vmSampleSchema = {
  type: 'object',
  properties: {
    memoryBytes: { type: 'number', minimum: 0 },
    pageSizeBytes: { type: 'integer', minimum: 1 },
    dirtyRateBytesPerSec: { type: 'number', minimum: 0 },
    curve: curveSchema,
    zeroPageFraction: { type: 'number', minimum: 0, maximum: 1 },
    cpuUtilisation: { type: 'number', minimum: 0 },
    sampledAt: { type: 'string', format: 'date-time' },
    bitmapCurve: { ...curveSchema, description: "a pseudo-migration's dirty-bitmap counts per pre-copy round (`migcost sample --pseudo-migration`)" },
    bitmapZeroShare: { type: 'number', minimum: 0, maximum: 1, description: 'of the pages the pseudo-migration re-sent, the share that were zero pages' },
    zeroPageFractionLate: { type: 'number', minimum: 0, maximum: 1, description: "the zero-page share QEMU counted in the pseudo-migration's first pass" },
    zeroPagesLateAt: { type: 'string', format: 'date-time' },
    nonZeroGrowthBytesPerSec: { type: 'number', minimum: 0, description: 'growth of non-zero memory between the RAM dump and that later count' },
    phases: {
      type: 'object',
      description: 'a longer look (`migcost sample --horizon`): consecutive page-sampling windows of windowSec over spanSec, each one\'s dirt rate (bytes/s) in time order',
      properties: {
        windowSec: { type: 'number', exclusiveMinimum: 0 },
        spanSec: { type: 'number', minimum: 0 },
        rates: { type: 'array', maxItems: 10000, items: { type: 'number', minimum: 0 } },
      },
      required: ['windowSec', 'rates'],
      additionalProperties: false,
    },
    ramLayout: {
      type: 'object',
      description: 'where memory lies in address order, from two RAM dumps windowSec apart: per equal slice of RAM, non-zero pages and pages changed in between',
      properties: {
        windowSec: { type: 'number', minimum: 0 },
        nonZeroPages: { type: 'array', maxItems: 4096, items: { type: 'integer', minimum: 0 } },
        changedPages: { type: 'array', maxItems: 4096, items: { type: 'integer', minimum: 0 } },
      },
      required: ['windowSec', 'nonZeroPages', 'changedPages'],
      additionalProperties: false,
    },
    throttleResponse: {
      type: 'object',
      description: "how the dirt answered auto-converge's throttle (`migcost sample --throttle-probe`): page-sampled rates (bytes/s) without and with a throttle (0-1), and the exponent a in rate(p) = rate(0) (1 - p)^a (1 proportional, 0 full catch-up)",
      properties: {
        throttle: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
        windowSec: { type: 'number', exclusiveMinimum: 0 },
        rateUnthrottled: { type: 'number', minimum: 0 },
        rateThrottled: { type: 'number', minimum: 0 },
        unthrottledWindows: { type: 'integer', minimum: 0 },
        throttledWindows: { type: 'integer', minimum: 0 },
        exponent: { type: 'number', minimum: 0, maximum: 1 },
      },
      required: ['throttle', 'windowSec', 'rateUnthrottled', 'rateThrottled', 'unthrottledWindows', 'throttledWindows', 'exponent'],
      additionalProperties: false,
    },
    touchedPagesPerSec: { type: 'number', minimum: 0, description: 'distinct pages written per second between the two RAM dumps' },
    compressibility: {
      type: 'object',
      description: "from the two RAM dumps: XBZRLE deltas of a sample of rewritten pages, and zlib / zstd compressed-over-raw shares (docs/techniques.md)",
      properties: {
        rewrittenPages: { type: 'number', minimum: 0 },
        xbzrleDeltaRatio: { type: 'number', minimum: 0, maximum: 1 },
        xbzrleOverflowShare: { type: 'number', minimum: 0, maximum: 1 },
        zlibShareRewritten: { type: 'number', minimum: 0, maximum: 1 },
        zstdShareRewritten: { type: 'number', minimum: 0, maximum: 1 },
        nonZeroPages: { type: 'number', minimum: 0 },
        zlibShare: { type: 'number', minimum: 0, maximum: 1 },
        zstdShare: { type: 'number', minimum: 0, maximum: 1 },
        packetPages: { type: 'number', minimum: 1, description: 'pages compressed as one stream (multifd packet); absent: each page alone' },
        zlibSpeedupRewritten: { type: 'number', exclusiveMinimum: 0, maximum: 10000, description: 'how many times faster zlib compressed the rewritten pages than all memory' },
        zstdSpeedupRewritten: { type: 'number', exclusiveMinimum: 0, maximum: 10000 },
      },
      required: ['rewrittenPages', 'xbzrleOverflowShare', 'nonZeroPages'],
      additionalProperties: false,
    },
  },
  required: ['memoryBytes', 'dirtyRateBytesPerSec', 'curve', 'sampledAt'],
} as const;

/** The fields `migcost predict` takes (human units as strings or SI numbers). */
export const predictFieldsSchema = {
  type: 'object',
  properties: {
    memory: numberOrString,
    dirtyRate: numberOrString,
    bandwidth: numberOrString,
    policy: { type: 'string' },
    downtimeLimit: numberOrString,
    timeout: numberOrString,
    maxRounds: numberOrString,
    zeroPageFraction: numberOrString,
    dirtyModel: { type: 'string' },
    curve: {},
    autoConverge: {},
    adaptiveRate: {},
    energy: {},
    trace: { type: 'boolean' },
    technique: { type: 'string', description: `QEMU migration technique: ${TECHNIQUES.join(', ')} (docs/techniques.md); compress means multifd with zlib` },
    postcopyAfter: { ...numberOrString, description: 'postcopy: passes (a whole number) or a time such as 30s' },
    maxPostcopyBandwidth: numberOrString,
    xbzrleCache: numberOrString,
    xbzrleDeltaRatio: numberOrString,
    xbzrleOverflowShare: numberOrString,
    multifdChannels: numberOrString,
    multifdCompression: { type: 'string' },
    compressionRatio: numberOrString,
    compressionRatioRewritten: numberOrString,
    channelSpeedupRewritten: numberOrString,
    vcpuDirtyLimit: numberOrString,
    vcpus: numberOrString,
    learned: { type: 'boolean', description: "false: keep the analytic figure as the answer (the store's learned correction is still shown beside it)" },
    id: {},
    platform: { type: 'object', additionalProperties: true, description: 'platform constants, as `predict --platform FILE` reads them (the JSON of `migcost lab calibrate`, or {setupSec, resumeSec, lineRateBytesPerSec, stopCopyRateBytesPerSec, firstTouchRateBytesPerSec, ...}); setupTime, resumeTime, lineRate, stopCopyRate win over it. Without any: the final copy runs uncapped at 10 Gbit/s (or the cap if higher), as QEMU lifts its rate limit for it' },
    sample: { ...vmSampleSchema, description: 'the JSON of `migcost sample --json`: the VM priced from it by the default model (as `predict --vm`); memory, dirtyRate etc. given beside it override it' },
  },
  additionalProperties: true,
} as const;

/**
 * A cluster as `migcost plan` reads it (examples/cluster.json); a VM may carry `sample`, the JSON of
 * `migcost sample --json`, and is then priced from it as `predict --vm` prices it.
 */
export const clusterSchema = {
  type: 'object',
  description: 'hosts: [{id, cpu, memory, bandwidth?, idleWatts?, maxWatts?, utilisationHistory?}], vms: [{id, host, cpu, memory, dirtyRate?, zeroPageFraction?, curve?, cpuUtilisation?, sample?}] (checked by the planner, which names the field at fault)',
  properties: { vms: { type: 'array', items: { type: 'object', properties: { sample: vmSampleSchema }, additionalProperties: true } } },
  additionalProperties: true,
} as const;

export const roundTraceSchema = {
  type: 'object',
  properties: {
    round: { type: 'integer' },
    kind: { type: 'string' },
    sentBytes: { type: 'number' },
    durationSec: { type: 'number' },
    rateBytesPerSec: { type: 'number' },
    dirtiedBytes: { type: 'number' },
    skippedBytes: { type: 'number' },
    remainingBytes: { type: 'number' },
    throttle: { type: 'number' },
  },
  additionalProperties: true,
} as const;

export const predictionSchema = {
  type: 'object',
  properties: {
    id: {},
    totalTimeSec: { type: 'number' },
    downtimeSec: { type: 'number' },
    transferredBytes: { type: 'number' },
    rounds: { type: 'integer' },
    converged: { type: 'boolean' },
    reason: { type: 'string' },
    /** POST /v1/predict: why it stopped, in words (a downtime over the limit says by how much; a time-out that its downtime is a forced switch-over's). */
    verdict: { type: 'string' },
    convergenceProbability: { type: 'number', description: 'P(converging before the time-out), from the spread of the dirt between syncs (docs/model.md)' },
    timeP10Sec: { type: 'number', description: '10th percentile of the total time (a migration not converged costs the time-out)' },
    timeP50Sec: { type: 'number' },
    timeP90Sec: { type: 'number' },
    energyJoules: { type: 'number' },
    setupSec: { type: 'number' },
    precopySec: { type: 'number' },
    stopCopySec: { type: 'number' },
    stopCopyBytes: { type: 'number' },
    resumeSec: { type: 'number' },
    maxThrottle: { type: 'number' },
    plain: {
      type: 'object',
      description: 'the plain deterministic run (the sampled rate\'s) beside the outlook\'s median: what POST /v1/plan ranks moves by',
      properties: { totalTimeSec: { type: 'number' }, transferredBytes: { type: 'number' }, downtimeSec: { type: 'number' }, converged: { type: 'boolean' } },
    },
    assumption: { type: 'string', description: 'what the answer rests on that the input did not measure (auto-converge without a throttle probe: how throttling cuts the guest\'s dirt)' },
    technique: { type: 'string' },
    measured: { type: 'boolean' },
    note: { type: 'string' },
    switchoverSec: { type: 'number' },
    postcopyPhaseSec: { type: 'number' },
    postcopyBytes: { type: 'number' },
    remoteFaults: { type: 'number' },
    postcopyBlockedSec: { type: 'number' },
    xbzrleCacheHitRatio: { type: 'number' },
    xbzrleCacheHits: { type: 'number' },
    xbzrleCacheMisses: { type: 'number' },
    xbzrleOverflows: { type: 'number' },
    xbzrleEncodedBytes: { type: 'number' },
    multifdChannels: { type: 'integer' },
    multifdCompression: { type: 'string' },
    compressionRatio: { type: 'number' },
    compressionRatioRewritten: { type: 'number' },
    rawBytes: { type: 'number' },
    dirtyLimitBytesPerSec: { type: 'number' },
    dirtyLimitFromSec: { type: 'number' },
    trace: { type: 'array', items: roundTraceSchema },
    /** POST /v1/predict on a server with a store: the latest learned correction (`calibrate --learn`), and the analytic figure beside it. */
    learned: {
      type: 'object',
      properties: { applied: { type: 'boolean' }, answer: { type: 'boolean' }, version: { type: 'integer' }, base: { type: 'string' }, reason: { type: 'string' }, totalTimeSec: { type: 'number' }, transferredBytes: { type: 'number' }, downtimeSec: { type: 'number' } },
    },
    analytic: { type: 'object', properties: { totalTimeSec: { type: 'number' }, transferredBytes: { type: 'number' }, downtimeSec: { type: 'number' } } },
    /** On a server with a store, a scalar input: the zero share it was priced with and where it came from (the store's scalar fit, or the stated assumption). */
    scalarReading: { type: 'object', properties: { zeroPageFraction: { type: 'number' }, zeroFrom: { type: 'string' }, assumption: { type: 'string' } } },
  },
} as const;

export const vmIdSchema = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' } as const;

/** Loose object: documented as "any JSON object" (plans, clusters, records pass through as they are). */
export const anyObject = { type: 'object', additionalProperties: true } as const;
