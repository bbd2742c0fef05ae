/*
 * Load generator for etcd's v3 JSON gateway: the `load` subcommand of store-client.py in C,
 * so that at 16 clients the machine's cores go to the stores under test rather than to a
 * Python interpreter. Same requests for skiff and etcd: N threads, each with one HTTP/1.1
 * keep-alive connection to endpoint (thread index mod endpoint count), POST /v3/kv/put with
 * {"key": base64("bench/<thread>/<seq mod 1000>"), "value": base64(<size> x 'v')} for a
 * fixed time. Prints the same JSON as the Python client:
 *   {"puts": N, "errors": E, "puts_per_s": R, "p50_ms": P, "p99_ms": Q}
 *
 * Usage: store-load --endpoints http://h:p[,…] [--clients N] [--seconds S] [--value-size B]
 * Build: cc -O2 -pthread -o store-load store-load.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_ENDPOINTS 16
#define MAX_CLIENTS 256

static struct { char host[64]; int port; } endpoints[MAX_ENDPOINTS];
static int endpoint_count;
static int clients = 1, value_size = 100;
static double seconds = 8, deadline;
static char value_b64[4096];

typedef struct {
    int index;
    double *latencies;
    size_t count, capacity;
    long errors;
} worker_t;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void base64(const unsigned char *in, size_t n, char *out) {
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;
    for (i = 0; i + 2 < n; i += 3) {
        unsigned v = in[i] << 16 | in[i + 1] << 8 | in[i + 2];
        out[o++] = table[v >> 18 & 63]; out[o++] = table[v >> 12 & 63];
        out[o++] = table[v >> 6 & 63]; out[o++] = table[v & 63];
    }
    if (i < n) {
        unsigned v = in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0);
        out[o++] = table[v >> 18 & 63]; out[o++] = table[v >> 12 & 63];
        out[o++] = i + 1 < n ? table[v >> 6 & 63] : '=';
        out[o++] = '=';
    }
    out[o] = 0;
}

static int connect_to(int e) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(endpoints[e].port);
    inet_pton(AF_INET, endpoints[e].host, &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { close(fd); return -1; }
    return fd;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        p += w; n -= w;
    }
    return 0;
}

/* Reads one HTTP/1.1 response (Content-Length or chunked); returns the status, -1 on error. */
static int read_response(int fd, char *buf, size_t cap) {
    size_t have = 0;
    char *body;
    for (;;) {
        ssize_t r = read(fd, buf + have, cap - 1 - have);
        if (r <= 0) return -1;
        have += r; buf[have] = 0;
        if ((body = strstr(buf, "\r\n\r\n"))) break;
        if (have >= cap - 1) return -1;
    }
    int status = atoi(buf + 9);
    body += 4;
    size_t header_len = body - buf;
    char *cl = strcasestr(buf, "content-length:");
    if (cl && cl < body) {
        size_t want = header_len + strtoul(cl + 15, NULL, 10);
        while (have < want) {
            if (want >= cap) return -1;
            ssize_t r = read(fd, buf + have, want - have);
            if (r <= 0) return -1;
            have += r;
        }
        return status;
    }
    /* chunked: read until the terminating 0-length chunk */
    for (;;) {
        buf[have] = 0;
        if (strstr(body, "\r\n0\r\n\r\n") || strncmp(body, "0\r\n\r\n", 5) == 0) return status;
        if (have >= cap - 1) return -1;
        ssize_t r = read(fd, buf + have, cap - 1 - have);
        if (r <= 0) return -1;
        have += r;
    }
}

static void *worker(void *arg) {
    worker_t *w = arg;
    int e = w->index % endpoint_count;
    int fd = connect_to(e);
    char request[8192], body[6144], key[128], key_b64[256], response[65536];
    unsigned long sequence = 0;
    while (now() < deadline) {
        if (fd < 0) { w->errors++; usleep(10000); fd = connect_to(e); continue; }
        snprintf(key, sizeof key, "bench/%d/%lu", w->index, sequence % 1000);
        sequence++;
        base64((unsigned char *)key, strlen(key), key_b64);
        int body_len = snprintf(body, sizeof body, "{\"key\": \"%s\", \"value\": \"%s\"}", key_b64, value_b64);
        int len = snprintf(request, sizeof request,
            "POST /v3/kv/put HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n%s", endpoints[e].host, endpoints[e].port, body_len, body);
        double start = now();
        if (write_all(fd, request, len) < 0 || read_response(fd, response, sizeof response) != 200) {
            w->errors++;
            close(fd);
            fd = connect_to(e);
            continue;
        }
        if (w->count == w->capacity) {
            w->capacity = w->capacity ? w->capacity * 2 : 4096;
            w->latencies = realloc(w->latencies, w->capacity * sizeof(double));
        }
        w->latencies[w->count++] = now() - start;
    }
    if (fd >= 0) close(fd);
    return NULL;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--endpoints")) {
            char *list = strdup(argv[i + 1]), *save = NULL;
            for (char *item = strtok_r(list, ",", &save); item && endpoint_count < MAX_ENDPOINTS;
                 item = strtok_r(NULL, ",", &save)) {
                if (!strncmp(item, "http://", 7)) item += 7;
                char *colon = strrchr(item, ':');
                if (!colon) { fprintf(stderr, "bad endpoint %s\n", item); return 2; }
                *colon = 0;
                snprintf(endpoints[endpoint_count].host, sizeof endpoints[0].host, "%s", item);
                endpoints[endpoint_count++].port = atoi(colon + 1);
            }
        } else if (!strcmp(argv[i], "--clients")) clients = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--value-size")) value_size = atoi(argv[i + 1]);
        else { fprintf(stderr, "unknown argument %s\n", argv[i]); return 2; }
    }
    if (endpoint_count == 0 || clients < 1 || clients > MAX_CLIENTS || value_size < 0 || value_size > 3000) {
        fprintf(stderr, "usage: store-load --endpoints http://h:p[,...] [--clients N] [--seconds S] [--value-size B]\n");
        return 2;
    }
    unsigned char *value = malloc(value_size + 1);
    memset(value, 'v', value_size);
    base64(value, value_size, value_b64);

    worker_t *workers = calloc(clients, sizeof(worker_t));
    pthread_t *threads = calloc(clients, sizeof(pthread_t));
    double started = now();
    deadline = started + seconds;
    for (int i = 0; i < clients; i++) {
        workers[i].index = i;
        pthread_create(&threads[i], NULL, worker, &workers[i]);
    }
    size_t total = 0;
    long errors = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(threads[i], NULL);
        total += workers[i].count;
        errors += workers[i].errors;
    }
    double elapsed = now() - started;
    if (total == 0) { printf("{\"puts\": 0, \"errors\": %ld}\n", errors); return 1; }
    double *merged = malloc(total * sizeof(double));
    size_t at = 0;
    for (int i = 0; i < clients; i++) {
        memcpy(merged + at, workers[i].latencies, workers[i].count * sizeof(double));
        at += workers[i].count;
    }
    qsort(merged, total, sizeof(double), compare);
    size_t p50 = (size_t)(0.50 * total), p99 = (size_t)(0.99 * total);
    if (p50 >= total) p50 = total - 1;
    if (p99 >= total) p99 = total - 1;
    printf("{\"puts\": %zu, \"errors\": %ld, \"puts_per_s\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f}\n",
        total, errors, total / elapsed, merged[p50] * 1000, merged[p99] * 1000);
    return 0;
}
