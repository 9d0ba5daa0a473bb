/*
 * dirtier: dirties guest memory at a controlled rate, for migcost's QEMU lab.
 *
 *   dirtier WSS_BYTES RATE_PAGES_PER_SEC seq|random [pace=capped|clock] [phases=2s:write,3s:read]
 *
 * Fills a working set of WSS_BYTES with non-zero bytes (zero pages would travel as flags), prints
 * "DIRTIER-READY" on stdout, then every 5 ms writes one word into each page owed at rate x elapsed,
 * walking the working set sequentially or at random. After a pause (e.g. an auto-converge throttle)
 * it catches up by at most 100 ms worth of pages (pace=capped, the default), so the long-run rate is the
 * asked one when it can be. pace=clock is paced by the clock alone: it writes every page it owes since it
 * started, however long it was held back (unbounded catch-up, as a real-time producer does).
 * phases=DUR:write,DUR:read,...: a cycle of phases (durations in s, "2s" or "2"), by the clock: a write
 * phase dirties as above, a read phase reads and verifies the working set and writes nothing (what is owed
 * during a read phase is forgiven, whatever the pace).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ULL;
static inline uint64_t xorshift(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

#define MAX_PHASES 16
static double phase_sec[MAX_PHASES];
static int phase_write[MAX_PHASES];
static int n_phases;

/* "2s:write,3s:read" -> phases; 0 on a malformed list. */
static int parse_phases(const char *spec) {
  char buf[256];
  strncpy(buf, spec, sizeof buf - 1);
  buf[sizeof buf - 1] = 0;
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    char *colon = strchr(tok, ':');
    if (!colon || n_phases == MAX_PHASES) return 0;
    *colon = 0;
    char *end;
    double d = strtod(tok, &end);
    if (end == tok || !(d > 0) || (*end && strcmp(end, "s") != 0)) return 0;
    if (strcmp(colon + 1, "write") == 0) phase_write[n_phases] = 1;
    else if (strcmp(colon + 1, "read") == 0) phase_write[n_phases] = 0;
    else return 0;
    phase_sec[n_phases++] = d;
  }
  return n_phases > 0;
}

/* Whether the phase cycle is in a write phase at t seconds since the start. */
static int writing_at(double t) {
  if (n_phases == 0) return 1;
  double cycle = 0;
  for (int i = 0; i < n_phases; i++) cycle += phase_sec[i];
  double x = t - cycle * (unsigned long)(t / cycle);
  for (int i = 0; i < n_phases; i++) {
    if (x < phase_sec[i]) return phase_write[i];
    x -= phase_sec[i];
  }
  return phase_write[n_phases - 1];
}

int main(int argc, char **argv) {
  int clock_paced = 0;
  if (argc < 4) {
    fprintf(stderr, "usage: dirtier WSS_BYTES RATE_PAGES_PER_SEC seq|random [pace=capped|clock] [phases=2s:write,3s:read]\n");
    return 2;
  }
  for (int i = 4; i < argc; i++) {
    if (strcmp(argv[i], "pace=clock") == 0) clock_paced = 1;
    else if (strcmp(argv[i], "pace=capped") == 0) clock_paced = 0;
    else if (strncmp(argv[i], "phases=", 7) == 0) {
      if (!parse_phases(argv[i] + 7)) {
        fprintf(stderr, "dirtier: phases=%s: want DUR:write|read,... (e.g. 2s:write,3s:read)\n", argv[i] + 7);
        return 2;
      }
    } else {
      fprintf(stderr, "dirtier: unknown option %s (pace=capped|clock, phases=...)\n", argv[i]);
      return 2;
    }
  }
  unsigned long wss = strtoul(argv[1], NULL, 10);
  double rate = strtod(argv[2], NULL);
  int random_pattern = strcmp(argv[3], "random") == 0;
  unsigned long pages = wss / PAGE;
  if (pages == 0 || rate < 0) {
    fprintf(stderr, "dirtier: WSS must be at least one page and RATE >= 0\n");
    return 2;
  }
  unsigned char *mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (mem == MAP_FAILED) {
    perror("dirtier: mmap");
    return 1;
  }
  memset(mem, 0xA5, pages * PAGE);
  printf("DIRTIER-READY pages=%lu rate=%.0f pattern=%s pace=%s phases=%d\n", pages, rate, random_pattern ? "random" : "seq", clock_paced ? "clock" : "capped", n_phases);
  fflush(stdout);

  double start = now();
  double owed = 0, last = start;
  unsigned long next = 0;
  uint64_t stamp = 1;
  const double max_catch_up = rate * 0.1;
  struct timespec tick = {0, 5 * 1000 * 1000};
  volatile uint64_t sink = 0;
  unsigned long verify = 0;
  for (;;) {
    double t = now();
    if (!writing_at(t - start)) {
      /* A read phase: every 5 ms, read and check 1/64 of the working set (its never-written last byte); write nothing. */
      unsigned long slice = pages / 64 + 1;
      for (unsigned long i = 0; i < slice; i++) {
        if (((volatile unsigned char *)mem)[verify * PAGE + 4095] != 0xA5) sink++;
        if (++verify == pages) verify = 0;
      }
      owed = 0;
      last = t;
      nanosleep(&tick, NULL);
      continue;
    }
    owed += rate * (t - last);
    last = t;
    if (!clock_paced && owed > max_catch_up + rate * 0.005) owed = max_catch_up + rate * 0.005;
    unsigned long n = (unsigned long)owed;
    owed -= n;
    for (unsigned long i = 0; i < n; i++) {
      unsigned long p = random_pattern ? (unsigned long)(xorshift() % pages) : next;
      if (!random_pattern && ++next == pages) next = 0;
      ((volatile uint64_t *)(mem + p * PAGE))[(stamp & 7) * 8] = stamp++;
    }
    nanosleep(&tick, NULL);
  }
}
