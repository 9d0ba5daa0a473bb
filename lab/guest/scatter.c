/*
 * scatter: a second random writer for migcost's held-out lab workloads, built unlike dirtier.c on purpose.
 *
 *   scatter WSS_BYTES RATE_PAGES_PER_SEC
 *
 * Where dirtier draws each page independently (xorshift, with replacement: the distinct-page curve bends
 * early), scatter walks the working set in a random order without replacement (a Fisher-Yates shuffle by
 * PCG32, a fresh order each pass), so every page is written once per pass. Each visit writes a 256-byte run at
 * a random offset in the page. It fills the set with PCG32 output (not a constant byte), paces itself in 20 ms
 * ticks and never catches up: what a tick could not write (the guest paused or throttled) is dropped.
 * Prints "SCATTER-READY" on stdout once the set is filled.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define PAGE 4096UL
#define RUN 256UL

static uint64_t pcg_state = 0x853c49e6748fea9bULL;
static const uint64_t pcg_inc = 0xda3e39cb94b95bdbULL;
static inline uint32_t pcg32(void) {
  uint64_t old = pcg_state;
  pcg_state = old * 6364136223846793005ULL + pcg_inc;
  uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
  uint32_t rot = (uint32_t)(old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}
/* A uniform integer in [0, n), without modulo bias. */
static uint32_t below(uint32_t n) {
  uint32_t threshold = -n % n;
  for (;;) {
    uint32_t r = pcg32();
    if (r >= threshold) return r % n;
  }
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void shuffle(uint32_t *order, uint32_t n) {
  for (uint32_t i = n - 1; i > 0; i--) {
    uint32_t j = below(i + 1);
    uint32_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: scatter WSS_BYTES RATE_PAGES_PER_SEC\n");
    return 2;
  }
  unsigned long wss = strtoul(argv[1], NULL, 10);
  double rate = strtod(argv[2], NULL);
  uint32_t pages = (uint32_t)(wss / PAGE);
  if (pages < 2 || !(rate >= 0)) {
    fprintf(stderr, "scatter: WSS must be at least two pages and RATE >= 0\n");
    return 2;
  }
  unsigned char *mem = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  uint32_t *order = malloc(sizeof(uint32_t) * pages);
  if (mem == MAP_FAILED || !order) {
    perror("scatter: allocating the working set");
    return 1;
  }
  uint32_t *words = (uint32_t *)mem;
  for (size_t i = 0; i < (size_t)pages * PAGE / 4; i++) words[i] = pcg32() | 1u;
  for (uint32_t i = 0; i < pages; i++) order[i] = i;
  shuffle(order, pages);
  printf("SCATTER-READY pages=%u rate=%.0f\n", pages, rate);
  fflush(stdout);

  const double tick_sec = 0.02;
  struct timespec tick = {0, 20 * 1000 * 1000};
  uint32_t pos = 0;
  unsigned char run[RUN];
  double last = now(), owed = 0;
  for (;;) {
    double t = now();
    owed += rate * (t - last);
    last = t;
    if (owed > rate * tick_sec) owed = rate * tick_sec; /* no catch-up: a missed tick is lost */
    unsigned long n = (unsigned long)owed;
    owed -= n;
    for (unsigned long i = 0; i < n; i++) {
      for (unsigned long b = 0; b < RUN; b += 4) {
        uint32_t r = pcg32() | 1u;
        memcpy(run + b, &r, 4);
      }
      unsigned long off = below((uint32_t)(PAGE / RUN)) * RUN;
      memcpy(mem + (size_t)order[pos] * PAGE + off, run, RUN);
      if (++pos == pages) {
        pos = 0;
        shuffle(order, pages);
      }
    }
    nanosleep(&tick, NULL);
  }
}
