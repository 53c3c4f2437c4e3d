/*
 * The guest's /init for the kernel conformance recording (conformance/record.sh builds it with `gcc -static` and
 * packs it into an initramfs with notes.txt).
 *
 * 1. Mounts /proc and copies the kernel symbols the recorder needs from /proc/kallsyms into `ksyms` (everything in
 *    .entry.text, plus the C functions and per-CPU variables the entry code names). Debian's System.map is a stub,
 *    and with `nokaslr` these addresses are the ones gdb sees.
 * 2. Opens /notes.txt, which becomes fd 3 (fds 0-2 are the console), as in the model's `read` scenario.
 * 3. Calls ready(): gdb (conformance/trace.py) stops there and reads `ksyms` and `info` (the kernel version, its
 *    command line, the CPU flags and /sys/devices/system/cpu/vulnerabilities).
 * 4. Runs each case through one of two sites, `syscall_site` (a `syscall`) and `int80_site` (an `int 0x80`), with
 *    every general register and RFLAGS preloaded with a distinct value; `case_name` says which case is running. gdb
 *    stops at the site and single-steps from there to the instruction after it.
 * 5. Calls finished(), where gdb lets go, and powers the machine off.
 *
 * Everything is printed to the console too, so a failed recording can be read in the console log.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

/* What gdb reads at ready(): "address type name" lines. */
char ksyms[1 << 16];
uint64_t ksyms_len;

/* The case being run, NUL-terminated, for gdb. */
char case_name[64];

/* What the guest says about itself (kernel version, command line, CPU flags, vulnerabilities), for gdb. */
char info[1 << 14];
uint64_t info_len;

/* The buffer `read` fills: below 4 GiB, so the i386 ABI (32-bit registers) can name it too. */
char buffer[4096] __attribute__((aligned(4096)));

/*
 * The register block the sites load from and store to, indexed by the hardware encoding (rax = 0 ... r15 = 15).
 * The assembly addresses it by offset: in[16] at 0, flags_in at 128, out[16] at 136, flags_out at 264.
 */
struct block {
    uint64_t in[16];
    uint64_t flags_in;
    uint64_t out[16];
    uint64_t flags_out;
};
struct block blk;

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
static const char *const reg_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

/* The symbols outside .entry.text the recording names. */
static const char *const wanted[] = {
    "do_syscall_64",   "int80_emulation", "do_int80_emulation", "sync_regs",      "cpu_tss_rw",
    "pcpu_hot",        "x86_verw_sel",    "mds_verw_sel",       "clear_bhb_loop", "entry_untrain_ret",
    "__x64_sys_getpid", "__x64_sys_read", "__ia32_sys_getpid",  "__ia32_sys_read", "_text",
    "cpu_tlbstate",    "__per_cpu_offset", "entry_SYSCALL_64",  "__entry_text_start", "__entry_text_end",
};

/*
 * Runs one case: loads every register but RSP from blk.in and RFLAGS from blk.flags_in, executes the site's
 * instruction, and stores every register and RFLAGS in blk.out / blk.flags_out. RBX, RBP and R12-R15 are the
 * caller's (callee-saved in the SysV ABI), so the routine saves and restores them around the call.
 */
void run_syscall(void);
void run_int80(void);
__asm__(
    ".text\n"
    ".macro CASE_BODY site, insn\n"
    "    push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "    lea blk(%rip), %rax\n"
    "    pushq 128(%rax)\n"
    "    popfq\n"
    "    mov 8(%rax), %rcx;   mov 16(%rax), %rdx;  mov 24(%rax), %rbx\n"
    "    mov 40(%rax), %rbp;  mov 48(%rax), %rsi;  mov 56(%rax), %rdi\n"
    "    mov 64(%rax), %r8;   mov 72(%rax), %r9;   mov 80(%rax), %r10\n"
    "    mov 88(%rax), %r11;  mov 96(%rax), %r12;  mov 104(%rax), %r13\n"
    "    mov 112(%rax), %r14; mov 120(%rax), %r15\n"
    "    mov 0(%rax), %rax\n"
    "    .globl \\site\n"
    "\\site:\n"
    "    \\insn\n"
    "    pushfq\n"
    "    push %rax\n"
    "    lea blk(%rip), %rax\n"
    "    popq 136(%rax)\n"
    "    popq 264(%rax)\n"
    "    mov %rcx, 144(%rax);  mov %rdx, 152(%rax);  mov %rbx, 160(%rax)\n"
    "    mov %rsp, 168(%rax);  mov %rbp, 176(%rax);  mov %rsi, 184(%rax)\n"
    "    mov %rdi, 192(%rax);  mov %r8, 200(%rax);   mov %r9, 208(%rax)\n"
    "    mov %r10, 216(%rax);  mov %r11, 224(%rax);  mov %r12, 232(%rax)\n"
    "    mov %r13, 240(%rax);  mov %r14, 248(%rax);  mov %r15, 256(%rax)\n"
    "    cld\n"
    "    pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "    ret\n"
    ".endm\n"
    ".globl run_syscall\n"
    "run_syscall:\n"
    "    CASE_BODY syscall_site, syscall\n"
    ".globl run_int80\n"
    "run_int80:\n"
    "    CASE_BODY int80_site, \"int $0x80\"\n");

/* gdb stops here once `ksyms` and `info` are filled in, and at finished() after the last case. */
__attribute__((noinline)) void ready(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) void finished(void) { __asm__ volatile("" ::: "memory"); }

static void out(const char *text) { write(1, text, strlen(text)); }

static int is_wanted(const char *name) {
    for (size_t idx = 0; idx < sizeof wanted / sizeof wanted[0]; idx++) {
        if (strcmp(name, wanted[idx]) == 0) return 1;
    }
    return 0;
}

/* Copies the wanted symbols and everything between __entry_text_start and __entry_text_end into `ksyms`. */
static void collect_symbols(void) {
    unsigned long long start = 0, end = 0, addr;
    char type, name[256], line[512];
    FILE *file = fopen("/proc/kallsyms", "r");
    if (!file) {
        out("init: cannot open /proc/kallsyms\n");
        return;
    }
    for (int pass = 0; pass < 2; pass++) {
        rewind(file);
        while (fgets(line, sizeof line, file)) {
            if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3) continue;
            if (pass == 0) {
                if (strcmp(name, "__entry_text_start") == 0) start = addr;
                if (strcmp(name, "__entry_text_end") == 0) end = addr;
                continue;
            }
            if (!is_wanted(name) && !(addr >= start && addr < end)) continue;
            int len = snprintf(ksyms + ksyms_len, sizeof ksyms - ksyms_len, "%llx %c %s\n", addr, type, name);
            if (len > 0 && ksyms_len + (uint64_t)len < sizeof ksyms) ksyms_len += (uint64_t)len;
        }
    }
    fclose(file);
    printf("init: %llu bytes of symbols, .entry.text %llx-%llx\n", (unsigned long long)ksyms_len, start, end);
}

/* Appends "key: first line of path (or the line starting with `prefix`)" to `info`. */
static void add_info(const char *key, const char *path, const char *prefix) {
    char line[4096];
    FILE *file = fopen(path, "r");
    if (!file) return;
    while (fgets(line, sizeof line, file)) {
        if (prefix && strncmp(line, prefix, strlen(prefix)) != 0) continue;
        line[strcspn(line, "\n")] = 0;
        const char *value = prefix ? line + strlen(prefix) : line;
        int len = snprintf(info + info_len, sizeof info - info_len, "%s: %s\n", key, value);
        if (len > 0 && info_len + (uint64_t)len < sizeof info) info_len += (uint64_t)len;
        break;
    }
    fclose(file);
}

/* The kernel, its command line, the CPU's flags and what the kernel says about each CPU vulnerability. */
static void collect_info(void) {
    static const char *const vulns[] = {"meltdown", "spectre_v1", "spectre_v2", "mds", "tsx_async_abort",
                                        "mmio_stale_data", "retbleed", "spec_store_bypass", "srbds",
                                        "gather_data_sampling", "reg_file_data_sampling", "l1tf", "itlb_multihit"};
    char path[256];
    add_info("version", "/proc/version", NULL);
    add_info("cmdline", "/proc/cmdline", NULL);
    add_info("model name", "/proc/cpuinfo", "model name\t: ");
    add_info("flags", "/proc/cpuinfo", "flags\t\t: ");
    for (size_t idx = 0; idx < sizeof vulns / sizeof vulns[0]; idx++) {
        snprintf(path, sizeof path, "/sys/devices/system/cpu/vulnerabilities/%s", vulns[idx]);
        add_info(vulns[idx], path, NULL);
    }
    fputs(info, stdout);
}

/* Every register gets a value no other register (and no kernel address) has: 0x5e<reg>... with the index twice. */
static uint64_t distinct(int reg) { return 0x5e00000000000000ull | ((uint64_t)reg << 48) | (0x1111ull * (uint64_t)(reg + 1)); }

/* CF PF AF ZF SF IF OF and bit 1: status flags a `syscall` must carry through R11 and back. No TF, DF or AC. */
#define USER_FLAGS 0xad7ull

static void run_case(const char *name, int int80, uint64_t nr, uint64_t arg0, uint64_t arg1, uint64_t arg2) {
    memset(&blk, 0, sizeof blk);
    for (int reg = 0; reg < 16; reg++) blk.in[reg] = distinct(reg);
    blk.in[RAX] = nr;
    if (int80) {
        /* i386 ABI: ebx, ecx, edx, esi, edi, ebp. */
        blk.in[RBX] = arg0;
        blk.in[RCX] = arg1;
        blk.in[RDX] = arg2;
    } else {
        blk.in[RDI] = arg0;
        blk.in[RSI] = arg1;
        blk.in[RDX] = arg2;
    }
    blk.flags_in = USER_FLAGS;
    lseek(3, 0, SEEK_SET);
    snprintf(case_name, sizeof case_name, "%s", name);
    if (int80)
        run_int80();
    else
        run_syscall();
    printf("init: case %s returned rax=%lld\n", name, (long long)blk.out[RAX]);
    for (int reg = 0; reg < 16; reg++) {
        if (reg != RSP && blk.out[reg] != blk.in[reg])
            printf("init:   %s %#llx -> %#llx\n", reg_names[reg], (unsigned long long)blk.in[reg],
                   (unsigned long long)blk.out[reg]);
    }
    printf("init:   rflags %#llx -> %#llx\n", (unsigned long long)blk.flags_in, (unsigned long long)blk.flags_out);
    fflush(stdout);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    mkdir("/proc", 0555);
    if (mount("proc", "/proc", "proc", 0, NULL) != 0) out("init: mount /proc failed\n");
    mkdir("/sys", 0555);
    if (mount("sysfs", "/sys", "sysfs", 0, NULL) != 0) out("init: mount /sys failed\n");
    collect_symbols();
    collect_info();
    int fd = open("/notes.txt", O_RDONLY);
    printf("init: /notes.txt is fd %d, pid %d\n", fd, getpid());
    if (fd != 3) {
        out("init: expected fd 3\n");
        reboot(RB_POWER_OFF);
    }
    ready();
    uint64_t buf = (uint64_t)(uintptr_t)buffer;
    /* The model's presets: read, read-bad-fd, read-bad-buffer, unknown-number, getpid, int 0x80. */
    run_case("read", 0, 0, 3, buf, 64);
    run_case("read-bad-fd", 0, 0, 9, buf, 64);
    run_case("read-bad-buffer", 0, 0, 3, 0x10, 64);
    run_case("unknown-number", 0, 1000, 0, 0, 0);
    run_case("getpid", 0, 39, 0, 0, 0);
    run_case("int80-getpid", 1, 20, 0, 0, 0);
    run_case("int80-read", 1, 3, 3, buf, 64);
    finished();
    out("init: done, powering off\n");
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
