/*
 * dirtier: dirties guest memory at a controlled rate, for migcost's QEMU lab.
 *
 *   dirtier WSS_BYTES RATE_PAGES_PER_SEC seq|random
 *
 * Fills a working set of WSS_BYTES with non-zero bytes (zero pages would travel as flags), prints
 * "DIRTIER-READY" on stdout, then every 5 ms writes one word into each page owed at rate x elapsed,
 * walking the working set sequentially or at random. After a pause (e.g. an auto-converge throttle)
 * it catches up by at most 100 ms worth of pages, so the long-run rate is the asked one when it can be.
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

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: dirtier WSS_BYTES RATE_PAGES_PER_SEC seq|random\n");
    return 2;
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
  printf("DIRTIER-READY pages=%lu rate=%.0f pattern=%s\n", pages, rate, random_pattern ? "random" : "seq");
  fflush(stdout);

  double start = now();
  double owed = 0, last = start;
  unsigned long next = 0;
  uint64_t stamp = 1;
  const double max_catch_up = rate * 0.1;
  struct timespec tick = {0, 5 * 1000 * 1000};
  for (;;) {
    double t = now();
    owed += rate * (t - last);
    last = t;
    if (owed > max_catch_up + rate * 0.005) owed = max_catch_up + rate * 0.005;
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
