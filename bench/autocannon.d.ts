// autocannon ships no types; the benchmark uses its default export only.
declare module 'autocannon';
