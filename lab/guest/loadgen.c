/*
 * loadgen: a varying request load on the guest's redis, for migcost's held-out lab workloads: the server's
 * dirt follows the load it is given, not a rate of its own.
 *
 *   loadgen RATE_PER_SEC sine|steps PERIOD_SEC KEYS VALUE_BYTES
 *
 * Sends SET key:<random in KEYS> <VALUE_BYTES random bytes> to 127.0.0.1:6379, pipelined, in 10 ms ticks, at
 * a rate that follows the clock: sine, RATE x (1 + 0.9 sin(2 pi t / PERIOD)); steps, 1.8 x RATE for the first
 * half of each period and 0.2 x RATE for the second (both average RATE). Replies are read and counted; what a
 * tick could not send (the server lagging, the guest throttled) is carried to the next tick, at most one
 * second's worth. Prints "LOADGEN-READY" once connected.
 *
 * The load's phase at start is drawn at random (and so are the keys): a lab that boots the guest, samples it and
 * migrates it at fixed delays would otherwise catch the load at the same point of its period every run, and
 * score the model on one phase (held-out passes 1-4 did: every sample began at the sine's peak).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static inline uint64_t splitmix(void) {
  uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* A seed that differs from boot to boot: the kernel's random bytes, else the wall clock and the pid. */
static uint64_t boot_seed(void) {
  uint64_t seed = 0;
  FILE *f = fopen("/dev/urandom", "rb");
  if (f) {
    if (fread(&seed, sizeof seed, 1, f) != 1) seed = 0;
    fclose(f);
  }
  if (seed == 0) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    seed = ((uint64_t)ts.tv_sec * 1000000007ULL) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
  }
  return seed;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int connect_redis(void) {
  for (int attempt = 0; attempt < 600; attempt++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(6379)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    if (fd >= 0) close(fd);
    usleep(100 * 1000);
  }
  return -1;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Reads until `replies` complete lines ("+OK\r\n") have arrived. */
static int read_replies(int fd, unsigned long replies) {
  char buf[4096];
  while (replies > 0) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    for (ssize_t i = 0; i < r; i++)
      if (buf[i] == '\n' && replies > 0) replies--;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: loadgen RATE_PER_SEC sine|steps PERIOD_SEC KEYS VALUE_BYTES\n");
    return 2;
  }
  double rate = strtod(argv[1], NULL);
  int steps = strcmp(argv[2], "steps") == 0;
  double period = strtod(argv[3], NULL);
  unsigned long keys = strtoul(argv[4], NULL, 10);
  unsigned long vbytes = strtoul(argv[5], NULL, 10);
  if (!(rate > 0) || !(period > 0) || keys == 0 || vbytes == 0 || vbytes > 65536 || (!steps && strcmp(argv[2], "sine") != 0)) {
    fprintf(stderr, "loadgen: RATE > 0, sine|steps, PERIOD > 0, KEYS >= 1, 1 <= VALUE_BYTES <= 65536\n");
    return 2;
  }
  int fd = connect_redis();
  if (fd < 0) {
    perror("loadgen: connect 127.0.0.1:6379");
    return 1;
  }
  size_t cap = 64 * (vbytes + 64);
  char *out = malloc(cap);
  char *value = malloc(vbytes);
  if (!out || !value) return 1;
  rng ^= boot_seed();
  /* the phase at start: a uniform share of the period */
  double phase0 = (double)(splitmix() >> 11) * (1.0 / 9007199254740992.0);
  printf("LOADGEN-READY rate=%.0f shape=%s period=%.1f phase=%.3f\n", rate, steps ? "steps" : "sine", period, phase0);
  fflush(stdout);
  const double pi = 3.14159265358979323846;
  double last = now(), start = last - phase0 * period, owed = 0;
  struct timespec tick = {0, 10 * 1000 * 1000};
  for (;;) {
    double t = now();
    double x = t - start;
    double phase = x / period - (double)(unsigned long)(x / period);
    double r = steps ? (phase < 0.5 ? 1.8 * rate : 0.2 * rate) : rate * (1 + 0.9 * sin(2 * pi * x / period));
    owed += r * (t - last);
    last = t;
    if (owed > rate) owed = rate;
    unsigned long n = (unsigned long)owed;
    owed -= n;
    while (n > 0) {
      unsigned long batch = n < 64 ? n : 64;
      size_t len = 0;
      for (unsigned long i = 0; i < batch; i++) {
        for (unsigned long b = 0; b < vbytes; b += 8) {
          uint64_t r = splitmix();
          memcpy(value + b, &r, vbytes - b < 8 ? vbytes - b : 8);
        }
        /* keys are "key:" and 12 digits: 16 bytes */
        len += (size_t)sprintf(out + len, "*3\r\n$3\r\nSET\r\n$16\r\nkey:%012lu\r\n$%lu\r\n", (unsigned long)(splitmix() % keys), vbytes);
        memcpy(out + len, value, vbytes);
        len += vbytes;
        memcpy(out + len, "\r\n", 2);
        len += 2;
      }
      if (write_all(fd, out, len) < 0 || read_replies(fd, batch) < 0) {
        perror("loadgen: redis connection");
        return 1;
      }
      n -= batch;
    }
    nanosleep(&tick, NULL);
  }
}
