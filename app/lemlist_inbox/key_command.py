"""Running ``api_key_command``: the API key from a password manager, as aerc and neomutt do.

The command goes through ``sh -c`` so pipes and quoting work as the user typed them
(``pass show lemlist | head -1``). It runs with a timeout, because a password manager
that waits for a passphrase nobody sees would otherwise hang the start for ever. When it
fails, the user is told which command, how it ended and the first lines of its stderr,
cleaned of control characters and with anything it printed on stdout (a key, perhaps)
redacted: enough to fix it without a debugger, never enough to leak the key.
"""

from __future__ import annotations

import subprocess

from lemlist_inbox.render.sanitize import sanitize_line

#: Seconds a key command may take: long enough to type a passphrase into a pinentry.
KEY_COMMAND_TIMEOUT = 60.0
#: How much of a failing command's stderr is shown.
STDERR_LINES = 3
_REDACTED = "[redacted]"


class KeyCommandError(Exception):
    """``api_key_command`` did not give a key; the message says which command and why."""


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, _REDACTED)
    return text


def _stderr_excerpt(stderr: str, stdout: str) -> str:
    """The first lines of stderr, cleaned, with whatever stdout held redacted from them."""
    secrets = sorted({line.strip() for line in stdout.splitlines() if len(line.strip()) >= 4}, key=len)[::-1]
    lines = [sanitize_line(_redact(line, secrets), 200) for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    shown = "\n".join(f"  {line}" for line in lines[:STDERR_LINES])
    more = len(lines) - STDERR_LINES
    if more > 0:
        shown += f"\n  ({more} more line{'s' if more != 1 else ''})"
    return "\n" + shown


def _ended(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by signal {-returncode}"
    return f"failed with exit status {returncode}"


def run_key_command(command: str, *, timeout: float = KEY_COMMAND_TIMEOUT) -> str:
    """Run ``command`` through ``sh -c`` and return the first line it printed.

    stdin is inherited (a passphrase prompt on the terminal still works); stdout and
    stderr are captured. On timeout the shell is killed and we stop waiting for any
    child still holding its pipes.
    """
    shown = sanitize_line(command, 200)
    try:
        proc = subprocess.Popen(
            ["sh", "-c", command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        raise KeyCommandError(f"api_key_command `{shown}` could not start: {exc.strerror or exc}") from None
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        try:
            stdout, stderr = proc.communicate(timeout=1)
        except subprocess.TimeoutExpired:  # a grandchild still holds the pipes: stop waiting
            stdout, stderr = "", ""
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
            proc.wait()
        raise KeyCommandError(
            f"api_key_command `{shown}` timed out: no key after {timeout:g} s (stopped it)"
            + _stderr_excerpt(stderr or "", stdout or "")
        ) from None
    if proc.returncode != 0:
        raise KeyCommandError(
            f"api_key_command `{shown}` {_ended(proc.returncode)}" + _stderr_excerpt(stderr, stdout)
        )
    first = next((line.strip() for line in stdout.splitlines() if line.strip()), "")
    if not first:
        raise KeyCommandError(
            f"api_key_command `{shown}` printed nothing on stdout" + _stderr_excerpt(stderr, stdout)
        )
    return first
