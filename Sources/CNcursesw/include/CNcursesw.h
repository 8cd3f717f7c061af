#ifndef CONVTUTOR_CNCURSESW_SHIM_H
#define CONVTUTOR_CNCURSESW_SHIM_H

// The wide-character ncurses API (cchar_t, wget_wch, setcchar) is only declared with these.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#if __has_include(<ncursesw/curses.h>)
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif

// From <term.h>, declared here rather than included: term.h defines some 400 lower-case macros
// (`lines`, `columns`, `tab`, `bell`, ...) that would capture ordinary names.
struct term;
extern int setupterm(const char *, int, int *);
extern struct term *set_curterm(struct term *);
extern int del_curterm(struct term *);
// Declared by <wchar.h> only under _XOPEN_SOURCE, which the Swift module of the C library may not have.
extern int wcwidth(wchar_t);

// MARK: - Stateless helpers (usable from any Swift file)

/// Swift 6 refuses ncurses' global variables as not concurrency-safe; these read them.
static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline WINDOW *cn_curscr(void) { return curscr; }
static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }

/// Window size (the `getmaxyx` macro is not imported).
static inline int cn_height(WINDOW *window) { return getmaxy(window); }
static inline int cn_width(WINDOW *window) { return getmaxx(window); }

/// Attributes (the `A_*` / `WA_*` macros are not imported).
static inline attr_t cn_attr_normal(void) { return WA_NORMAL; }
static inline attr_t cn_attr_bold(void) { return WA_BOLD; }
static inline attr_t cn_attr_dim(void) { return WA_DIM; }
static inline attr_t cn_attr_reverse(void) { return WA_REVERSE; }
static inline attr_t cn_attr_underline(void) { return WA_UNDERLINE; }

/// The key code of function key `n` (the `KEY_F(n)` macro is not imported).
static inline int cn_key_f(int n) { return KEY_F(n); }

/// The mouse events ConvTutor asks for: presses of buttons 1 to 3 (no motion, no releases).
static inline mmask_t cn_mouse_button_presses(void) {
    return BUTTON1_PRESSED | BUTTON2_PRESSED | BUTTON3_PRESSED;
}

/// Reads the pending mouse event: 1 and the cell of a button press, 0 for anything else.
static inline int cn_mouse_press(int *x, int *y) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    if ((event.bstate & cn_mouse_button_presses()) == 0) return 0;
    *x = event.x;
    *y = event.y;
    return 1;
}

/// Puts one cell: a spacing character followed by up to four combining characters (0 ends the
/// list early), with attributes and an extended colour pair (any pair number ncurses accepts, not
/// only the 8 bits `COLOR_PAIR` holds). Does not move the cursor.
static inline int cn_put_cell(WINDOW *window, int y, int x, wchar_t c0, wchar_t c1, wchar_t c2, wchar_t c3,
                              wchar_t c4, attr_t attributes, int pair) {
    wchar_t text[6] = {c0, c1, c2, c3, c4, 0};
    cchar_t cell;
    // With a non-null last argument ncurses takes the pair from there and ignores the short one.
    if (setcchar(&cell, text, attributes, 0, &pair) == ERR) return ERR;
    return mvwadd_wch(window, y, x, &cell);
}

/// Column width of a character in the current locale: 1 normal, 2 wide, 0 combining, -1 not printable.
static inline int cn_wcwidth(wchar_t c) { return wcwidth(c); }

/// Adopts the user's character-set locale (LC_ALL / LC_CTYPE / LANG) and says whether it is UTF-8.
/// Only LC_CTYPE, which is what curses needs: number formatting stays as the C locale writes it.
static inline int cn_adopt_ctype_locale_is_utf8(void) {
    setlocale(LC_CTYPE, "");
    const char *codeset = nl_langinfo(CODESET);
    if (codeset == NULL) return 0;
    return strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0 || strcmp(codeset, "UTF8") == 0;
}

static inline int cn_is_terminal(int fd) { return isatty(fd); }

/// Looks the terminal type up without starting curses (and without touching the terminal).
/// Returns setupterm's status: 1 usable, 0 not found or generic (TERM=dumb), -1 no terminfo
/// database; and 2 for a terminal that is found but cannot address the cursor or is hard-copy.
static inline int cn_probe_terminal(const char *name) {
    int status = 0;
    if (setupterm(name, 1, &status) != OK) {
        // ncurses reports hard-copy terminals as 1 with ERR.
        return status == 1 ? 2 : status;
    }
    char *cup = tigetstr("cup");
    int addressable = cup != NULL && cup != (char *)-1;
    del_curterm(set_curterm(NULL));
    return addressable ? 1 : 2;
}

/// Starts curses on standard output and input; NULL when the terminal cannot be used.
static inline SCREEN *cn_newterm(void) { return newterm(NULL, stdout, stdin); }

/// Stops the process as Ctrl-Z would (the caller has left curses mode), and returns when it is
/// continued. Nothing happens when stopping is ignored (a parent without job control) or when the
/// kernel discards the stop because no shell is left to continue the process (an orphaned
/// process group): freezing there would hang the program for good.
static inline void cn_stop_process(void) {
    struct sigaction defaultAction, previous;
    memset(&defaultAction, 0, sizeof defaultAction);
    defaultAction.sa_handler = SIG_DFL;
    sigemptyset(&defaultAction.sa_mask);
    sigaction(SIGTSTP, &defaultAction, &previous);
    if (previous.sa_handler != SIG_IGN) {
        sigset_t unblock, saved;
        sigemptyset(&unblock);
        sigaddset(&unblock, SIGTSTP);
        pthread_sigmask(SIG_UNBLOCK, &unblock, &saved);
        raise(SIGTSTP);
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
    }
    sigaction(SIGTSTP, &previous, NULL);
}

/// Leaves curses mode if it is on. Used where the terminal must be restored no matter what.
static inline void cn_end_curses_if_active(void) {
    if (!isendwin()) endwin();
}

// MARK: - Process state: signal flags, the wake-up pipe, saved signal actions
//
// These are `static`, so every object file that uses them gets its own copy. Only one Swift file
// (Sources/CursesBackend/ProcessSignals.swift) may call the functions below, so that the handlers
// it installs and the flags it reads are the same variables.

struct cn_process_state {
    volatile sig_atomic_t termination_signal;
    volatile sig_atomic_t continued;
    int wake_pipe[2];
    int exit_guard_registered;
    // While curses runs, standard error (when it is the terminal) goes to a temporary file,
    // so that a stray message cannot scribble over the screen; it is written out after curses ends.
    int saved_stderr;
    int captured_stderr;
    int has_previous_action[65];
    struct sigaction previous_actions[65];
};

// A function-local static: Swift's C code generation emits it with the function. File-level static
// arrays initialised to zeros were left undefined at link time (Swift 6.3).
static inline struct cn_process_state *cn_state(void) {
    static struct cn_process_state state = {0, 0, {-1, -1}, 0, -1, -1, {0}, {{{0}}}};
    return &state;
}

/// Sends standard error to a temporary file if it is a terminal. Nothing happens when it is not
/// (`2>log` keeps working as usual) or when no temporary file can be made.
static inline void cn_capture_stderr(void) {
    struct cn_process_state *state = cn_state();
    if (state->saved_stderr >= 0 || !isatty(2)) return;
    FILE *file = tmpfile();
    if (file == NULL) return;
    int captured = dup(fileno(file));
    fclose(file);
    if (captured < 0) return;
    int saved = dup(2);
    if (saved < 0 || dup2(captured, 2) < 0) {
        if (saved >= 0) close(saved);
        close(captured);
        return;
    }
    fcntl(saved, F_SETFD, FD_CLOEXEC);
    fcntl(captured, F_SETFD, FD_CLOEXEC);
    state->saved_stderr = saved;
    state->captured_stderr = captured;
}

/// Gives standard error back to the terminal and writes out what was sent to it meanwhile.
/// Async-signal-safe (dup2, lseek, read, write, close), so the crash handler can call it.
static inline void cn_release_stderr(void) {
    struct cn_process_state *state = cn_state();
    if (state->saved_stderr < 0) return;
    dup2(state->saved_stderr, 2);
    close(state->saved_stderr);
    state->saved_stderr = -1;
    if (lseek(state->captured_stderr, 0, SEEK_SET) == 0) {
        char buffer[4096];
        ssize_t count;
        while ((count = read(state->captured_stderr, buffer, sizeof buffer)) > 0) {
            ssize_t written = write(2, buffer, (size_t)count);
            if (written <= 0) break;
        }
    }
    close(state->captured_stderr);
    state->captured_stderr = -1;
}

/// Ends curses and gives standard error back; for the paths that must restore the terminal
/// whatever happened.
static inline void cn_restore_terminal(void) {
    cn_end_curses_if_active();
    cn_release_stderr();
}

static inline void cn_wake(void) {
    if (cn_state()->wake_pipe[1] >= 0) {
        char byte = 0;
        ssize_t written = write(cn_state()->wake_pipe[1], &byte, 1);
        (void)written; // a full pipe already wakes the reader
    }
}

static void cn_on_termination(int signal_number) {
    int saved_errno = errno;
    if (cn_state()->termination_signal != 0) {
        // Asked twice while the program has not closed yet: restore the terminal and go now.
        cn_restore_terminal();
        signal(signal_number, SIG_DFL);
        raise(signal_number);
    }
    cn_state()->termination_signal = signal_number;
    cn_wake();
    errno = saved_errno;
}

static void cn_on_continue(int signal_number) {
    (void)signal_number;
    int saved_errno = errno;
    cn_state()->continued = 1;
    cn_wake();
    errno = saved_errno;
}

/// Runs the previous handler (ncurses' own, which records the new size), then wakes the reader.
static void cn_on_window_change(int signal_number) {
    int saved_errno = errno;
    struct sigaction *previous = &cn_state()->previous_actions[signal_number];
    if (cn_state()->has_previous_action[signal_number]) {
        if (previous->sa_flags & SA_SIGINFO) {
            if (previous->sa_sigaction != NULL) previous->sa_sigaction(signal_number, NULL, NULL);
        } else if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN) {
            previous->sa_handler(signal_number);
        }
    }
    cn_wake();
    errno = saved_errno;
}

/// A crash (a failed precondition, a bad access): put the terminal back, then let the previous
/// handler (the Swift runtime's backtracer, or the default action) see the same signal again.
/// endwin is not async-signal-safe, but the process is going down either way and a terminal left
/// in raw mode with the alternate screen is worse.
static void cn_on_crash(int signal_number) {
    cn_restore_terminal();
    if (cn_state()->has_previous_action[signal_number]) {
        sigaction(signal_number, &cn_state()->previous_actions[signal_number], NULL);
    } else {
        signal(signal_number, SIG_DFL);
    }
    // Returning re-runs the faulting instruction (or abort() raises again) under that handler.
}

static inline int cn_install_handler(int signal_number, void (*handler)(int)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; // no SA_RESTART: a blocking wait returns at once with EINTR
    if (sigaction(signal_number, &action, &cn_state()->previous_actions[signal_number]) != 0) return -1;
    cn_state()->has_previous_action[signal_number] = 1;
    return 0;
}

static void cn_exit_guard(void) { cn_restore_terminal(); }

/// Before curses starts: the wake-up pipe, SIGINT/SIGTERM/SIGHUP (flag and wake; unless ignored),
/// SIGCONT (flag and wake). Installed first so that ncurses keeps its hands off SIGINT and SIGTERM. 0 or -1.
static inline int cn_install_termination_handlers(void) {
    cn_state()->termination_signal = 0;
    cn_state()->continued = 0;
    if (cn_state()->wake_pipe[0] < 0) {
        if (pipe(cn_state()->wake_pipe) != 0) return -1;
        for (int i = 0; i < 2; i++) {
            fcntl(cn_state()->wake_pipe[i], F_SETFL, fcntl(cn_state()->wake_pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(cn_state()->wake_pipe[i], F_SETFD, FD_CLOEXEC);
        }
    }
    // A termination signal the program was started with ignored (nohup) stays ignored.
    int terminations[] = {SIGINT, SIGTERM, SIGHUP};
    for (unsigned i = 0; i < sizeof terminations / sizeof terminations[0]; i++) {
        struct sigaction current;
        if (sigaction(terminations[i], NULL, &current) != 0) return -1;
        if (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN) continue;
        if (cn_install_handler(terminations[i], cn_on_termination) != 0) return -1;
    }
    if (cn_install_handler(SIGCONT, cn_on_continue) != 0) return -1;
    return 0;
}

/// After curses starts: SIGWINCH chained to ncurses' handler, the crash handlers, and an exit
/// hook that ends curses if the program exits without closing the terminal.
static inline void cn_install_running_handlers(void) {
    cn_install_handler(SIGWINCH, cn_on_window_change);
    int crashes[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT};
    for (unsigned i = 0; i < sizeof crashes / sizeof crashes[0]; i++) cn_install_handler(crashes[i], cn_on_crash);
    if (!cn_state()->exit_guard_registered) {
        cn_state()->exit_guard_registered = 1;
        atexit(cn_exit_guard);
    }
}

/// Puts back every signal action installed above and closes the wake-up pipe.
static inline void cn_restore_signal_handlers(void) {
    for (int signal_number = 1; signal_number < 65; signal_number++) {
        if (cn_state()->has_previous_action[signal_number]) {
            sigaction(signal_number, &cn_state()->previous_actions[signal_number], NULL);
            cn_state()->has_previous_action[signal_number] = 0;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (cn_state()->wake_pipe[i] >= 0) close(cn_state()->wake_pipe[i]);
        cn_state()->wake_pipe[i] = -1;
    }
}

static inline int cn_pending_termination_signal(void) { return cn_state()->termination_signal; }

/// 1 once after the process was continued (SIGCONT), then 0.
static inline int cn_take_continued(void) {
    if (!cn_state()->continued) return 0;
    cn_state()->continued = 0;
    return 1;
}

/// Dies by `signal_number` with its default action (the caller has restored the terminal), so the
/// parent sees how the program ended; exits with 128 + the number if the signal does not kill.
static inline void cn_die_by_signal(int signal_number) {
    signal(signal_number, SIG_DFL);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, signal_number);
    pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
    raise(signal_number);
    _exit(128 + signal_number);
}

#define CN_WAIT_TIMEOUT 0
#define CN_WAIT_INPUT 1
#define CN_WAIT_HANGUP 2
#define CN_WAIT_WOKEN 3

/// Waits until standard input has bytes, hangs up, a handled signal arrives, or `timeout_ms`
/// passes (-1 waits without limit). Returns one of the CN_WAIT_ values.
static inline int cn_wait_for_input(int timeout_ms) {
    struct pollfd fds[2];
    fds[0].fd = 0;
    fds[0].events = POLLIN;
    fds[0].revents = 0;
    fds[1].fd = cn_state()->wake_pipe[0];
    fds[1].events = POLLIN;
    fds[1].revents = 0;
    int ready = poll(fds, cn_state()->wake_pipe[0] >= 0 ? 2 : 1, timeout_ms);
    if (ready < 0) return errno == EINTR ? CN_WAIT_WOKEN : CN_WAIT_HANGUP;
    if (ready == 0) return CN_WAIT_TIMEOUT;
    if (fds[1].revents & POLLIN) {
        char buffer[64];
        while (read(cn_state()->wake_pipe[0], buffer, sizeof buffer) > 0) {}
        return CN_WAIT_WOKEN;
    }
    if (fds[0].revents & (POLLERR | POLLNVAL)) return CN_WAIT_HANGUP;
    if (fds[0].revents & POLLIN) {
        // Readable with nothing to read is end of file.
        int available = 0;
        if (ioctl(0, FIONREAD, &available) == 0 && available == 0) return CN_WAIT_HANGUP;
        return CN_WAIT_INPUT;
    }
    if (fds[0].revents & POLLHUP) return CN_WAIT_HANGUP;
    return CN_WAIT_WOKEN;
}

#endif
