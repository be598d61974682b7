"""Print the reading time of every lesson and flag those over the limits (`nastutor.course`): words of
prose / 200 per minute plus lines of code / 10 per minute, and the longest markdown cell in words.

    python tools/reading_time.py          # exit 1 if a lesson is over a limit
"""
from __future__ import annotations

import sys

from nastutor.course import (CODE_LINES_PER_MINUTE, LIMIT_MINUTES, LIMIT_WORDS, WORDS_PER_MINUTE, readings)


def main() -> int:
    rows = readings()
    print(f"{'lesson':32s} {'words':>6s} {'code':>5s} {'minutes':>8s} {'longest cell':>13s}")
    for r in rows:
        flag = " <- over" if r.minutes > LIMIT_MINUTES or r.longest_cell_words > LIMIT_WORDS else ""
        print(f"{r.lesson:32s} {r.words:6d} {r.code_lines:5d} {r.minutes:8.1f} {r.longest_cell_words:10d} w{flag}")
    print(f"limits: {LIMIT_MINUTES} minutes per lesson ({WORDS_PER_MINUTE} words and {CODE_LINES_PER_MINUTE} "
          f"code lines a minute), {LIMIT_WORDS} words per markdown cell")
    return int(any(r.minutes > LIMIT_MINUTES or r.longest_cell_words > LIMIT_WORDS for r in rows))


if __name__ == "__main__":
    sys.exit(main())
