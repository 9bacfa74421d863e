// Times one command as /usr/bin/time does, but with the wall time in
// microseconds, from the command's fork to its exit: bench/ipvs_bench.sh runs
// it inside nsenter, so that starting nsenter (about 75 ms in the TCG VM) is
// not charged to the tool measured. Writes "WALL USER SYS MAXRSS" (seconds,
// seconds, seconds, KiB) to FILE and exits with the command's status.
//   nlpp-bench-time FILE CMD [ARGS...]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>

namespace {

double seconds(timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) return std::fprintf(stderr, "usage: nlpp-bench-time FILE CMD [ARGS...]\n"), 2;
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid < 0) return std::perror("nlpp-bench-time: fork"), 2;
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        std::perror(argv[2]);
        _exit(127);
    }
    int status = 0;
    rusage ru{};
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) return std::perror("nlpp-bench-time: wait4"), 2;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::FILE* f = std::fopen(argv[1], "w");
    if (!f) return std::perror(argv[1]), 2;
    std::fprintf(f, "%.6f %.3f %.3f %ld\n", wall, seconds(ru.ru_utime), seconds(ru.ru_stime), ru.ru_maxrss);
    std::fclose(f);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
