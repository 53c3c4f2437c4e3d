//! GENERATED FILE, do not edit: the x86 syscall tables of Linux 6.12.117 as Rust data.
//!
//! Every syscall line of each file, in file order, from:
//! - `arch/x86/entry/syscalls/syscall_64.tbl`, sha256 980ce3115028c71c5618e7864d262017bde8103bcfe7b413147a14fd312c92ac
//! - `arch/x86/entry/syscalls/syscall_32.tbl`, sha256 48deaff56363a5889acd966b5a9df8cf084e8951c45fddd7a2f33f3b8bc4d81d
//!
//! The generator is `tests/syscall_tables.rs`; the types and the lookups are in `syscalls.rs`. To regenerate
//! from a Linux source tree (`LINUX_SRC`, which holds `arch/x86/entry/syscalls/`):
//!
//! ```text
//! LINUX_SRC=/path/to/linux-6.12 UPDATE_GENERATED=1 cargo test --test syscall_tables generated_table_matches_reference
//! ```
//!
//! Without `UPDATE_GENERATED` that test compares this file with the tree's tables instead.
//!
//! Each table is text, one line per .tbl line, `abi nr name entry compat noreturn`, packed: `abi` is `c`
//! (common), `6` (64), `x` (x32) or `i` (i386), followed without a space by `nr`, which is left out when it is
//! the previous line's plus one (0 for the first); in `entry`, `=` stands for `sys_<name>`, in `compat` for
//! `compat_sys_<name>`, and `-` for none; `noreturn` is `!`; a trailing `compat` of `-` is left out.
//! `syscalls.rs` parses it once, on first use: as text the tables are less than half the size in the
//! WebAssembly of the same data as Rust structs.

/// `NR_syscalls` for x86-64: the highest `common` or `64` number plus one.
pub const NR_SYSCALLS_64: u32 = 463;

/// `IA32_NR_syscalls`: the highest `i386` number plus one.
pub const IA32_NR_SYSCALLS: u32 = 463;

/// `syscall_64.tbl`: 411 lines (`common`, `64` and `x32`), in file order.
pub const X86_64_TBL: &str = "\
c read =\n\
c write =\n\
c open =\n\
c close =\n\
c stat sys_newstat\n\
c fstat sys_newfstat\n\
c lstat sys_newlstat\n\
c poll =\n\
c lseek =\n\
c mmap =\n\
c mprotect =\n\
c munmap =\n\
c brk =\n\
6 rt_sigaction =\n\
c rt_sigprocmask =\n\
6 rt_sigreturn =\n\
6 ioctl =\n\
c pread64 =\n\
c pwrite64 =\n\
6 readv =\n\
6 writev =\n\
c access =\n\
c pipe =\n\
c select =\n\
c sched_yield =\n\
c mremap =\n\
c msync =\n\
c mincore =\n\
c madvise =\n\
c shmget =\n\
c shmat =\n\
c shmctl =\n\
c dup =\n\
c dup2 =\n\
c pause =\n\
c nanosleep =\n\
c getitimer =\n\
c alarm =\n\
c setitimer =\n\
c getpid =\n\
c sendfile sys_sendfile64\n\
c socket =\n\
c connect =\n\
c accept =\n\
c sendto =\n\
6 recvfrom =\n\
6 sendmsg =\n\
6 recvmsg =\n\
c shutdown =\n\
c bind =\n\
c listen =\n\
c getsockname =\n\
c getpeername =\n\
c socketpair =\n\
6 setsockopt =\n\
6 getsockopt =\n\
c clone =\n\
c fork =\n\
c vfork =\n\
6 execve =\n\
c exit = - !\n\
c wait4 =\n\
c kill =\n\
c uname sys_newuname\n\
c semget =\n\
c semop =\n\
c semctl =\n\
c shmdt =\n\
c msgget =\n\
c msgsnd =\n\
c msgrcv =\n\
c msgctl =\n\
c fcntl =\n\
c flock =\n\
c fsync =\n\
c fdatasync =\n\
c truncate =\n\
c ftruncate =\n\
c getdents =\n\
c getcwd =\n\
c chdir =\n\
c fchdir =\n\
c rename =\n\
c mkdir =\n\
c rmdir =\n\
c creat =\n\
c link =\n\
c unlink =\n\
c symlink =\n\
c readlink =\n\
c chmod =\n\
c fchmod =\n\
c chown =\n\
c fchown =\n\
c lchown =\n\
c umask =\n\
c gettimeofday =\n\
c getrlimit =\n\
c getrusage =\n\
c sysinfo =\n\
c times =\n\
6 ptrace =\n\
c getuid =\n\
c syslog =\n\
c getgid =\n\
c setuid =\n\
c setgid =\n\
c geteuid =\n\
c getegid =\n\
c setpgid =\n\
c getppid =\n\
c getpgrp =\n\
c setsid =\n\
c setreuid =\n\
c setregid =\n\
c getgroups =\n\
c setgroups =\n\
c setresuid =\n\
c getresuid =\n\
c setresgid =\n\
c getresgid =\n\
c getpgid =\n\
c setfsuid =\n\
c setfsgid =\n\
c getsid =\n\
c capget =\n\
c capset =\n\
6 rt_sigpending =\n\
6 rt_sigtimedwait =\n\
6 rt_sigqueueinfo =\n\
c rt_sigsuspend =\n\
6 sigaltstack =\n\
c utime =\n\
c mknod =\n\
6 uselib -\n\
c personality =\n\
c ustat =\n\
c statfs =\n\
c fstatfs =\n\
c sysfs =\n\
c getpriority =\n\
c setpriority =\n\
c sched_setparam =\n\
c sched_getparam =\n\
c sched_setscheduler =\n\
c sched_getscheduler =\n\
c sched_get_priority_max =\n\
c sched_get_priority_min =\n\
c sched_rr_get_interval =\n\
c mlock =\n\
c munlock =\n\
c mlockall =\n\
c munlockall =\n\
c vhangup =\n\
c modify_ldt =\n\
c pivot_root =\n\
6 _sysctl sys_ni_syscall\n\
c prctl =\n\
c arch_prctl =\n\
c adjtimex =\n\
c setrlimit =\n\
c chroot =\n\
c sync =\n\
c acct =\n\
c settimeofday =\n\
c mount =\n\
c umount2 sys_umount\n\
c swapon =\n\
c swapoff =\n\
c reboot =\n\
c sethostname =\n\
c setdomainname =\n\
c iopl =\n\
c ioperm =\n\
6 create_module -\n\
c init_module =\n\
c delete_module =\n\
6 get_kernel_syms -\n\
6 query_module -\n\
c quotactl =\n\
6 nfsservctl -\n\
c getpmsg -\n\
c putpmsg -\n\
c afs_syscall -\n\
c tuxcall -\n\
c security -\n\
c gettid =\n\
c readahead =\n\
c setxattr =\n\
c lsetxattr =\n\
c fsetxattr =\n\
c getxattr =\n\
c lgetxattr =\n\
c fgetxattr =\n\
c listxattr =\n\
c llistxattr =\n\
c flistxattr =\n\
c removexattr =\n\
c lremovexattr =\n\
c fremovexattr =\n\
c tkill =\n\
c time =\n\
c futex =\n\
c sched_setaffinity =\n\
c sched_getaffinity =\n\
6 set_thread_area -\n\
6 io_setup =\n\
c io_destroy =\n\
c io_getevents =\n\
6 io_submit =\n\
c io_cancel =\n\
6 get_thread_area -\n\
c lookup_dcookie -\n\
c epoll_create =\n\
6 epoll_ctl_old -\n\
6 epoll_wait_old -\n\
c remap_file_pages =\n\
c getdents64 =\n\
c set_tid_address =\n\
c restart_syscall =\n\
c semtimedop =\n\
c fadvise64 =\n\
6 timer_create =\n\
c timer_settime =\n\
c timer_gettime =\n\
c timer_getoverrun =\n\
c timer_delete =\n\
c clock_settime =\n\
c clock_gettime =\n\
c clock_getres =\n\
c clock_nanosleep =\n\
c exit_group = - !\n\
c epoll_wait =\n\
c epoll_ctl =\n\
c tgkill =\n\
c utimes =\n\
6 vserver -\n\
c mbind =\n\
c set_mempolicy =\n\
c get_mempolicy =\n\
c mq_open =\n\
c mq_unlink =\n\
c mq_timedsend =\n\
c mq_timedreceive =\n\
6 mq_notify =\n\
c mq_getsetattr =\n\
6 kexec_load =\n\
6 waitid =\n\
c add_key =\n\
c request_key =\n\
c keyctl =\n\
c ioprio_set =\n\
c ioprio_get =\n\
c inotify_init =\n\
c inotify_add_watch =\n\
c inotify_rm_watch =\n\
c migrate_pages =\n\
c openat =\n\
c mkdirat =\n\
c mknodat =\n\
c fchownat =\n\
c futimesat =\n\
c newfstatat =\n\
c unlinkat =\n\
c renameat =\n\
c linkat =\n\
c symlinkat =\n\
c readlinkat =\n\
c fchmodat =\n\
c faccessat =\n\
c pselect6 =\n\
c ppoll =\n\
c unshare =\n\
6 set_robust_list =\n\
6 get_robust_list =\n\
c splice =\n\
c tee =\n\
c sync_file_range =\n\
6 vmsplice =\n\
6 move_pages =\n\
c utimensat =\n\
c epoll_pwait =\n\
c signalfd =\n\
c timerfd_create =\n\
c eventfd =\n\
c fallocate =\n\
c timerfd_settime =\n\
c timerfd_gettime =\n\
c accept4 =\n\
c signalfd4 =\n\
c eventfd2 =\n\
c epoll_create1 =\n\
c dup3 =\n\
c pipe2 =\n\
c inotify_init1 =\n\
6 preadv =\n\
6 pwritev =\n\
6 rt_tgsigqueueinfo =\n\
c perf_event_open =\n\
6 recvmmsg =\n\
c fanotify_init =\n\
c fanotify_mark =\n\
c prlimit64 =\n\
c name_to_handle_at =\n\
c open_by_handle_at =\n\
c clock_adjtime =\n\
c syncfs =\n\
6 sendmmsg =\n\
c setns =\n\
c getcpu =\n\
6 process_vm_readv =\n\
6 process_vm_writev =\n\
c kcmp =\n\
c finit_module =\n\
c sched_setattr =\n\
c sched_getattr =\n\
c renameat2 =\n\
c seccomp =\n\
c getrandom =\n\
c memfd_create =\n\
c kexec_file_load =\n\
c bpf =\n\
6 execveat =\n\
c userfaultfd =\n\
c membarrier =\n\
c mlock2 =\n\
c copy_file_range =\n\
6 preadv2 =\n\
6 pwritev2 =\n\
c pkey_mprotect =\n\
c pkey_alloc =\n\
c pkey_free =\n\
c statx =\n\
c io_pgetevents =\n\
c rseq =\n\
c uretprobe =\n\
c424 pidfd_send_signal =\n\
c io_uring_setup =\n\
c io_uring_enter =\n\
c io_uring_register =\n\
c open_tree =\n\
c move_mount =\n\
c fsopen =\n\
c fsconfig =\n\
c fsmount =\n\
c fspick =\n\
c pidfd_open =\n\
c clone3 =\n\
c close_range =\n\
c openat2 =\n\
c pidfd_getfd =\n\
c faccessat2 =\n\
c process_madvise =\n\
c epoll_pwait2 =\n\
c mount_setattr =\n\
c quotactl_fd =\n\
c landlock_create_ruleset =\n\
c landlock_add_rule =\n\
c landlock_restrict_self =\n\
c memfd_secret =\n\
c process_mrelease =\n\
c futex_waitv =\n\
c set_mempolicy_home_node =\n\
c cachestat =\n\
c fchmodat2 =\n\
c map_shadow_stack =\n\
c futex_wake =\n\
c futex_wait =\n\
c futex_requeue =\n\
c statmount =\n\
c listmount =\n\
c lsm_get_self_attr =\n\
c lsm_set_self_attr =\n\
c lsm_list_modules =\n\
c mseal =\n\
x512 rt_sigaction compat_sys_rt_sigaction\n\
x rt_sigreturn compat_sys_x32_rt_sigreturn\n\
x ioctl compat_sys_ioctl\n\
x readv =\n\
x writev =\n\
x recvfrom compat_sys_recvfrom\n\
x sendmsg compat_sys_sendmsg\n\
x recvmsg compat_sys_recvmsg\n\
x execve compat_sys_execve\n\
x ptrace compat_sys_ptrace\n\
x rt_sigpending compat_sys_rt_sigpending\n\
x rt_sigtimedwait compat_sys_rt_sigtimedwait_time64\n\
x rt_sigqueueinfo compat_sys_rt_sigqueueinfo\n\
x sigaltstack compat_sys_sigaltstack\n\
x timer_create compat_sys_timer_create\n\
x mq_notify compat_sys_mq_notify\n\
x kexec_load compat_sys_kexec_load\n\
x waitid compat_sys_waitid\n\
x set_robust_list compat_sys_set_robust_list\n\
x get_robust_list compat_sys_get_robust_list\n\
x vmsplice =\n\
x move_pages =\n\
x preadv compat_sys_preadv64\n\
x pwritev compat_sys_pwritev64\n\
x rt_tgsigqueueinfo compat_sys_rt_tgsigqueueinfo\n\
x recvmmsg compat_sys_recvmmsg_time64\n\
x sendmmsg compat_sys_sendmmsg\n\
x process_vm_readv =\n\
x process_vm_writev =\n\
x setsockopt =\n\
x getsockopt =\n\
x io_setup compat_sys_io_setup\n\
x io_submit compat_sys_io_submit\n\
x execveat compat_sys_execveat\n\
x preadv2 compat_sys_preadv64v2\n\
x pwritev2 compat_sys_pwritev64v2\n\
";

/// `syscall_32.tbl`: 452 lines (`i386`), in file order.
pub const I386_TBL: &str = "\
i restart_syscall =\n\
i exit = - !\n\
i fork =\n\
i read =\n\
i write =\n\
i open = =\n\
i close =\n\
i waitpid =\n\
i creat =\n\
i link =\n\
i unlink =\n\
i execve = =\n\
i chdir =\n\
i time sys_time32\n\
i mknod =\n\
i chmod =\n\
i lchown sys_lchown16\n\
i break -\n\
i oldstat sys_stat\n\
i lseek = =\n\
i getpid =\n\
i mount =\n\
i umount sys_oldumount\n\
i setuid sys_setuid16\n\
i getuid sys_getuid16\n\
i stime sys_stime32\n\
i ptrace = =\n\
i alarm =\n\
i oldfstat sys_fstat\n\
i pause =\n\
i utime sys_utime32\n\
i stty -\n\
i gtty -\n\
i access =\n\
i nice =\n\
i ftime -\n\
i sync =\n\
i kill =\n\
i rename =\n\
i mkdir =\n\
i rmdir =\n\
i dup =\n\
i pipe =\n\
i times = =\n\
i prof -\n\
i brk =\n\
i setgid sys_setgid16\n\
i getgid sys_getgid16\n\
i signal =\n\
i geteuid sys_geteuid16\n\
i getegid sys_getegid16\n\
i acct =\n\
i umount2 sys_umount\n\
i lock -\n\
i ioctl = =\n\
i fcntl = compat_sys_fcntl64\n\
i mpx -\n\
i setpgid =\n\
i ulimit -\n\
i oldolduname sys_olduname\n\
i umask =\n\
i chroot =\n\
i ustat = =\n\
i dup2 =\n\
i getppid =\n\
i getpgrp =\n\
i setsid =\n\
i sigaction = =\n\
i sgetmask =\n\
i ssetmask =\n\
i setreuid sys_setreuid16\n\
i setregid sys_setregid16\n\
i sigsuspend =\n\
i sigpending = =\n\
i sethostname =\n\
i setrlimit = =\n\
i getrlimit sys_old_getrlimit compat_sys_old_getrlimit\n\
i getrusage = =\n\
i gettimeofday = =\n\
i settimeofday = =\n\
i getgroups sys_getgroups16\n\
i setgroups sys_setgroups16\n\
i select sys_old_select compat_sys_old_select\n\
i symlink =\n\
i oldlstat sys_lstat\n\
i readlink =\n\
i uselib =\n\
i swapon =\n\
i reboot =\n\
i readdir sys_old_readdir compat_sys_old_readdir\n\
i mmap sys_old_mmap compat_sys_ia32_mmap\n\
i munmap =\n\
i truncate = =\n\
i ftruncate = =\n\
i fchmod =\n\
i fchown sys_fchown16\n\
i getpriority =\n\
i setpriority =\n\
i profil -\n\
i statfs = =\n\
i fstatfs = =\n\
i ioperm =\n\
i socketcall = =\n\
i syslog =\n\
i setitimer = =\n\
i getitimer = =\n\
i stat sys_newstat compat_sys_newstat\n\
i lstat sys_newlstat compat_sys_newlstat\n\
i fstat sys_newfstat compat_sys_newfstat\n\
i olduname sys_uname\n\
i iopl =\n\
i vhangup =\n\
i idle -\n\
i vm86old = sys_ni_syscall\n\
i wait4 = =\n\
i swapoff =\n\
i sysinfo = =\n\
i ipc = =\n\
i fsync =\n\
i sigreturn = =\n\
i clone = compat_sys_ia32_clone\n\
i setdomainname =\n\
i uname sys_newuname\n\
i modify_ldt =\n\
i adjtimex sys_adjtimex_time32\n\
i mprotect =\n\
i sigprocmask = =\n\
i create_module -\n\
i init_module =\n\
i delete_module =\n\
i get_kernel_syms -\n\
i quotactl =\n\
i getpgid =\n\
i fchdir =\n\
i bdflush sys_ni_syscall\n\
i sysfs =\n\
i personality =\n\
i afs_syscall -\n\
i setfsuid sys_setfsuid16\n\
i setfsgid sys_setfsgid16\n\
i _llseek sys_llseek\n\
i getdents = =\n\
i _newselect sys_select compat_sys_select\n\
i flock =\n\
i msync =\n\
i readv =\n\
i writev =\n\
i getsid =\n\
i fdatasync =\n\
i _sysctl sys_ni_syscall\n\
i mlock =\n\
i munlock =\n\
i mlockall =\n\
i munlockall =\n\
i sched_setparam =\n\
i sched_getparam =\n\
i sched_setscheduler =\n\
i sched_getscheduler =\n\
i sched_yield =\n\
i sched_get_priority_max =\n\
i sched_get_priority_min =\n\
i sched_rr_get_interval sys_sched_rr_get_interval_time32\n\
i nanosleep sys_nanosleep_time32\n\
i mremap =\n\
i setresuid sys_setresuid16\n\
i getresuid sys_getresuid16\n\
i vm86 = sys_ni_syscall\n\
i query_module -\n\
i poll =\n\
i nfsservctl -\n\
i setresgid sys_setresgid16\n\
i getresgid sys_getresgid16\n\
i prctl =\n\
i rt_sigreturn = =\n\
i rt_sigaction = =\n\
i rt_sigprocmask = =\n\
i rt_sigpending = =\n\
i rt_sigtimedwait sys_rt_sigtimedwait_time32 compat_sys_rt_sigtimedwait_time32\n\
i rt_sigqueueinfo = =\n\
i rt_sigsuspend = =\n\
i pread64 sys_ia32_pread64\n\
i pwrite64 sys_ia32_pwrite64\n\
i chown sys_chown16\n\
i getcwd =\n\
i capget =\n\
i capset =\n\
i sigaltstack = =\n\
i sendfile = =\n\
i getpmsg -\n\
i putpmsg -\n\
i vfork =\n\
i ugetrlimit sys_getrlimit compat_sys_getrlimit\n\
i mmap2 sys_mmap_pgoff\n\
i truncate64 sys_ia32_truncate64\n\
i ftruncate64 sys_ia32_ftruncate64\n\
i stat64 = compat_sys_ia32_stat64\n\
i lstat64 = compat_sys_ia32_lstat64\n\
i fstat64 = compat_sys_ia32_fstat64\n\
i lchown32 sys_lchown\n\
i getuid32 sys_getuid\n\
i getgid32 sys_getgid\n\
i geteuid32 sys_geteuid\n\
i getegid32 sys_getegid\n\
i setreuid32 sys_setreuid\n\
i setregid32 sys_setregid\n\
i getgroups32 sys_getgroups\n\
i setgroups32 sys_setgroups\n\
i fchown32 sys_fchown\n\
i setresuid32 sys_setresuid\n\
i getresuid32 sys_getresuid\n\
i setresgid32 sys_setresgid\n\
i getresgid32 sys_getresgid\n\
i chown32 sys_chown\n\
i setuid32 sys_setuid\n\
i setgid32 sys_setgid\n\
i setfsuid32 sys_setfsuid\n\
i setfsgid32 sys_setfsgid\n\
i pivot_root =\n\
i mincore =\n\
i madvise =\n\
i getdents64 =\n\
i fcntl64 = =\n\
i224 gettid =\n\
i readahead sys_ia32_readahead\n\
i setxattr =\n\
i lsetxattr =\n\
i fsetxattr =\n\
i getxattr =\n\
i lgetxattr =\n\
i fgetxattr =\n\
i listxattr =\n\
i llistxattr =\n\
i flistxattr =\n\
i removexattr =\n\
i lremovexattr =\n\
i fremovexattr =\n\
i tkill =\n\
i sendfile64 =\n\
i futex sys_futex_time32\n\
i sched_setaffinity = =\n\
i sched_getaffinity = =\n\
i set_thread_area =\n\
i get_thread_area =\n\
i io_setup = =\n\
i io_destroy =\n\
i io_getevents sys_io_getevents_time32\n\
i io_submit = =\n\
i io_cancel =\n\
i fadvise64 sys_ia32_fadvise64\n\
i252 exit_group = - !\n\
i lookup_dcookie -\n\
i epoll_create =\n\
i epoll_ctl =\n\
i epoll_wait =\n\
i remap_file_pages =\n\
i set_tid_address =\n\
i timer_create = =\n\
i timer_settime sys_timer_settime32\n\
i timer_gettime sys_timer_gettime32\n\
i timer_getoverrun =\n\
i timer_delete =\n\
i clock_settime sys_clock_settime32\n\
i clock_gettime sys_clock_gettime32\n\
i clock_getres sys_clock_getres_time32\n\
i clock_nanosleep sys_clock_nanosleep_time32\n\
i statfs64 = =\n\
i fstatfs64 = =\n\
i tgkill =\n\
i utimes sys_utimes_time32\n\
i fadvise64_64 sys_ia32_fadvise64_64\n\
i vserver -\n\
i mbind =\n\
i get_mempolicy =\n\
i set_mempolicy =\n\
i mq_open = =\n\
i mq_unlink =\n\
i mq_timedsend sys_mq_timedsend_time32\n\
i mq_timedreceive sys_mq_timedreceive_time32\n\
i mq_notify = =\n\
i mq_getsetattr = =\n\
i kexec_load = =\n\
i waitid = =\n\
i286 add_key =\n\
i request_key =\n\
i keyctl = =\n\
i ioprio_set =\n\
i ioprio_get =\n\
i inotify_init =\n\
i inotify_add_watch =\n\
i inotify_rm_watch =\n\
i migrate_pages =\n\
i openat = =\n\
i mkdirat =\n\
i mknodat =\n\
i fchownat =\n\
i futimesat sys_futimesat_time32\n\
i fstatat64 = compat_sys_ia32_fstatat64\n\
i unlinkat =\n\
i renameat =\n\
i linkat =\n\
i symlinkat =\n\
i readlinkat =\n\
i fchmodat =\n\
i faccessat =\n\
i pselect6 sys_pselect6_time32 compat_sys_pselect6_time32\n\
i ppoll sys_ppoll_time32 compat_sys_ppoll_time32\n\
i unshare =\n\
i set_robust_list = =\n\
i get_robust_list = =\n\
i splice =\n\
i sync_file_range sys_ia32_sync_file_range\n\
i tee =\n\
i vmsplice =\n\
i move_pages =\n\
i getcpu =\n\
i epoll_pwait =\n\
i utimensat sys_utimensat_time32\n\
i signalfd = =\n\
i timerfd_create =\n\
i eventfd =\n\
i fallocate sys_ia32_fallocate\n\
i timerfd_settime sys_timerfd_settime32\n\
i timerfd_gettime sys_timerfd_gettime32\n\
i signalfd4 = =\n\
i eventfd2 =\n\
i epoll_create1 =\n\
i dup3 =\n\
i pipe2 =\n\
i inotify_init1 =\n\
i preadv = =\n\
i pwritev = =\n\
i rt_tgsigqueueinfo = =\n\
i perf_event_open =\n\
i recvmmsg sys_recvmmsg_time32 compat_sys_recvmmsg_time32\n\
i fanotify_init =\n\
i fanotify_mark = =\n\
i prlimit64 =\n\
i name_to_handle_at =\n\
i open_by_handle_at = =\n\
i clock_adjtime sys_clock_adjtime32\n\
i syncfs =\n\
i sendmmsg = =\n\
i setns =\n\
i process_vm_readv =\n\
i process_vm_writev =\n\
i kcmp =\n\
i finit_module =\n\
i sched_setattr =\n\
i sched_getattr =\n\
i renameat2 =\n\
i seccomp =\n\
i getrandom =\n\
i memfd_create =\n\
i bpf =\n\
i execveat = =\n\
i socket =\n\
i socketpair =\n\
i bind =\n\
i connect =\n\
i listen =\n\
i accept4 =\n\
i getsockopt = sys_getsockopt\n\
i setsockopt = sys_setsockopt\n\
i getsockname =\n\
i getpeername =\n\
i sendto =\n\
i sendmsg = =\n\
i recvfrom = =\n\
i recvmsg = =\n\
i shutdown =\n\
i userfaultfd =\n\
i membarrier =\n\
i mlock2 =\n\
i copy_file_range =\n\
i preadv2 = =\n\
i pwritev2 = =\n\
i pkey_mprotect =\n\
i pkey_alloc =\n\
i pkey_free =\n\
i statx =\n\
i arch_prctl = =\n\
i io_pgetevents sys_io_pgetevents_time32 =\n\
i rseq =\n\
i393 semget =\n\
i semctl = =\n\
i shmget =\n\
i shmctl = =\n\
i shmat = =\n\
i shmdt =\n\
i msgget =\n\
i msgsnd = =\n\
i msgrcv = =\n\
i msgctl = =\n\
i clock_gettime64 sys_clock_gettime\n\
i clock_settime64 sys_clock_settime\n\
i clock_adjtime64 sys_clock_adjtime\n\
i clock_getres_time64 sys_clock_getres\n\
i clock_nanosleep_time64 sys_clock_nanosleep\n\
i timer_gettime64 sys_timer_gettime\n\
i timer_settime64 sys_timer_settime\n\
i timerfd_gettime64 sys_timerfd_gettime\n\
i timerfd_settime64 sys_timerfd_settime\n\
i utimensat_time64 sys_utimensat\n\
i pselect6_time64 sys_pselect6 =\n\
i ppoll_time64 sys_ppoll =\n\
i416 io_pgetevents_time64 sys_io_pgetevents =\n\
i recvmmsg_time64 sys_recvmmsg =\n\
i mq_timedsend_time64 sys_mq_timedsend\n\
i mq_timedreceive_time64 sys_mq_timedreceive\n\
i semtimedop_time64 sys_semtimedop\n\
i rt_sigtimedwait_time64 sys_rt_sigtimedwait =\n\
i futex_time64 sys_futex\n\
i sched_rr_get_interval_time64 sys_sched_rr_get_interval\n\
i pidfd_send_signal =\n\
i io_uring_setup =\n\
i io_uring_enter =\n\
i io_uring_register =\n\
i open_tree =\n\
i move_mount =\n\
i fsopen =\n\
i fsconfig =\n\
i fsmount =\n\
i fspick =\n\
i pidfd_open =\n\
i clone3 =\n\
i close_range =\n\
i openat2 =\n\
i pidfd_getfd =\n\
i faccessat2 =\n\
i process_madvise =\n\
i epoll_pwait2 = =\n\
i mount_setattr =\n\
i quotactl_fd =\n\
i landlock_create_ruleset =\n\
i landlock_add_rule =\n\
i landlock_restrict_self =\n\
i memfd_secret =\n\
i process_mrelease =\n\
i futex_waitv =\n\
i set_mempolicy_home_node =\n\
i cachestat =\n\
i fchmodat2 =\n\
i map_shadow_stack =\n\
i futex_wake =\n\
i futex_wait =\n\
i futex_requeue =\n\
i statmount =\n\
i listmount =\n\
i lsm_get_self_attr =\n\
i lsm_set_self_attr =\n\
i lsm_list_modules =\n\
i mseal =\n\
";
