# SPDX-License-Identifier: MIT
"""Drivers for the hostctx-run end-to-end tests that need an exact wait
status or a pseudo-terminal (wrapper*.bats call this file).

  status -- CMD...             run CMD, print "exit N" or "signal N core C"
  pty-keys READY KEYS -- CMD...  run CMD on a new pty as its session leader;
                               once file READY exists, type KEYS (Python
                               escapes, e.g. '\\x03'); print the status,
                               then the pty output after a line "--output--"
  pty-hangup READY -- CMD...   run CMD on a new pty as its session leader;
                               once file READY exists, hang the terminal
                               up (close the master); print the status
  jobctl RUN                   interactive bash on a pty: Ctrl-Z, jobs, fg
                               and tcgetpgrp around `RUN -- cat`
"""
import os
import pty
import select
import signal
import sys
import time


def describe(status):
    if os.WIFSIGNALED(status):
        return "signal %d core %d" % (os.WTERMSIG(status),
                                      1 if os.WCOREDUMP(status) else 0)
    if os.WIFEXITED(status):
        return "exit %d" % os.WEXITSTATUS(status)
    return "other %d" % status


def exec_like_a_shell(argv):
    # Python ignores SIGPIPE and SIGXFSZ; a shell would not.
    for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)


def cmd_status(argv):
    pid = os.fork()
    if pid == 0:
        exec_like_a_shell(argv)
    _, status = os.waitpid(pid, 0)
    print(describe(status))
    return 0


def drain(fd, seconds):
    out = b""
    end = time.time() + seconds
    while True:
        left = end - time.time()
        if left <= 0:
            return out
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return out
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return out
        if not chunk:
            return out
        out += chunk


def wait_with_drain(pid, fd, timeout):
    out = b""
    end = time.time() + timeout
    while time.time() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status, out + drain(fd, 0.1)
        out += drain(fd, 0.05)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return None, out


def cmd_pty_keys(ready, keys, argv):
    keys = keys.encode().decode("unicode_escape").encode("latin-1")
    pid, fd = pty.fork()
    if pid == 0:
        exec_like_a_shell(argv)
    out = b""
    end = time.time() + 20
    while not os.path.exists(ready) and time.time() < end:
        out += drain(fd, 0.02)
    out += drain(fd, 0.2)
    os.write(fd, keys)
    status, more = wait_with_drain(pid, fd, 20)
    print(describe(status) if status is not None else "timeout")
    print("--output--")
    sys.stdout.write((out + more).decode("utf-8", "replace"))
    return 0


def cmd_pty_hangup(ready, argv):
    pid, fd = pty.fork()
    if pid == 0:
        exec_like_a_shell(argv)
    end = time.time() + 20
    while not os.path.exists(ready) and time.time() < end:
        drain(fd, 0.02)
    os.close(fd)                            # the kernel hangs the tty up
    end = time.time() + 20
    while time.time() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            print(describe(status))
            return 0
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    print("timeout")
    return 0


class Session:
    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.clear()
            os.environ.update(env)
            exec_like_a_shell(argv)
        self.out = b""

    def send(self, text):
        os.write(self.fd, text.encode())

    def expect(self, needle, timeout=10):
        end = time.time() + timeout
        needle = needle.encode()
        while time.time() < end:
            if needle in self.out:
                at = self.out.index(needle) + len(needle)
                self.out = self.out[at:]
                return True
            self.out += drain(self.fd, 0.05)
        raise SystemExit("jobctl: did not see %r; got %r" % (needle, self.out))


def cmd_jobctl(run):
    env = dict(os.environ)
    env.update({"PS1": "PROMPT> ", "TERM": "dumb", "HISTFILE": "/dev/null"})
    s = Session(["bash", "--norc", "--noprofile", "-i"], env)
    s.expect("PROMPT> ")
    s.send("%s -o jobctl.json -- cat\n" % run)
    time.sleep(0.5)                         # let cat start reading
    s.send("hello\n")
    s.expect("hello\r\nhello\r\n")          # tty echo, then cat's copy
    s.send("\x1a")                          # Ctrl-Z
    s.expect("Stopped")
    s.expect("PROMPT> ")
    s.send("jobs\n")
    s.expect("Stopped")
    s.expect("PROMPT> ")
    s.send("fg\n")
    time.sleep(0.3)
    s.send("world\n")
    s.expect("world\r\nworld\r\n")
    s.send("\x04")                          # EOF: cat exits 0
    s.expect("PROMPT> ")
    s.send("echo rc=$?\n")
    s.expect("rc=0")
    s.send("%s -o tcpgrp.json -- python3 -c "
           "'import os; print(\"fg\", os.tcgetpgrp(0) == os.getpgrp())'\n" % run)
    s.expect("fg True")
    s.expect("PROMPT> ")
    s.send("exit\n")
    status, _ = wait_with_drain(s.pid, s.fd, 10)
    print("jobctl ok" if status is not None else "jobctl: bash did not exit")
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "status" and argv[2] == "--":
        return cmd_status(argv[3:])
    if len(argv) >= 5 and argv[1] == "pty-keys" and argv[4] == "--":
        return cmd_pty_keys(argv[2], argv[3], argv[5:])
    if len(argv) >= 4 and argv[1] == "pty-hangup" and argv[3] == "--":
        return cmd_pty_hangup(argv[2], argv[4:])
    if len(argv) == 3 and argv[1] == "jobctl":
        return cmd_jobctl(argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
