#!/usr/bin/python3
"""Turns a tmux pane capture (capture-pane -p -e: text with SGR escapes)
into a PNG the way a terminal would draw it: a grid of cells, wide
characters taking two, colours from the xterm palette.  Used by make.sh to
keep the README's screenshots true to a real run.

Needs Debian's python3-pil and fonts-dejavu-core, fonts-wqy-microhei (CJK)
and fonts-noto-color-emoji; run with /usr/bin/python3 (Debian's python).

usage: render_pane.py CAPTURE.txt OUT.png
"""
import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

FONT_SIZE = 16
CELL_W, CELL_H = 10, 20
FG, BG = (0xd8, 0xd8, 0xd8), (0x1c, 0x1c, 0x1c)
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
MONO_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
CJK = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
EMOJI = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"

BASE16 = [(0x1c, 0x1c, 0x1c), (0xcd, 0x31, 0x31), (0x0d, 0xbc, 0x79), (0xe5, 0xe5, 0x10),
          (0x24, 0x72, 0xc8), (0xbc, 0x3f, 0xbc), (0x11, 0xa8, 0xcd), (0xe5, 0xe5, 0xe5),
          (0x66, 0x66, 0x66), (0xf1, 0x4c, 0x4c), (0x23, 0xd1, 0x8b), (0xf5, 0xf5, 0x43),
          (0x3b, 0x8e, 0xea), (0xd6, 0x70, 0xd6), (0x29, 0xb8, 0xdb), (0xff, 0xff, 0xff)]


def palette(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


def cell_width(ch):
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


class Pen:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None
        self.bold = self.reverse = self.underline = self.dim = False

    def sgr(self, params):
        nums = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(nums):
            n = nums[i]
            if n == 0:
                self.reset()
            elif n == 1:
                self.bold = True
            elif n == 2:
                self.dim = True
            elif n == 4:
                self.underline = True
            elif n == 7:
                self.reverse = True
            elif n == 22:
                self.bold = self.dim = False
            elif n == 24:
                self.underline = False
            elif n == 27:
                self.reverse = False
            elif 30 <= n <= 37:
                self.fg = palette(n - 30)
            elif 90 <= n <= 97:
                self.fg = palette(n - 90 + 8)
            elif 40 <= n <= 47:
                self.bg = palette(n - 40)
            elif 100 <= n <= 107:
                self.bg = palette(n - 100 + 8)
            elif n == 39:
                self.fg = None
            elif n == 49:
                self.bg = None
            elif n in (38, 48) and i + 1 < len(nums):
                if nums[i + 1] == 5 and i + 2 < len(nums):
                    colour = palette(nums[i + 2])
                    i += 2
                elif nums[i + 1] == 2 and i + 4 < len(nums):
                    colour = tuple(nums[i + 2:i + 5])
                    i += 4
                else:
                    colour = None
                if n == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1

    def colours(self):
        fg, bg = self.fg or FG, self.bg or BG
        if self.reverse:
            fg, bg = bg, fg
        if self.dim:
            fg = tuple((c + b) // 2 for c, b in zip(fg, bg))
        return fg, bg


def parse(text):
    """Rows of cells: (char, fg, bg, bold, underline)."""
    rows = []
    pen = Pen()
    for line in text.split("\n"):
        row = []
        for token in re.split(r"(\x1b\[[0-9;]*[A-Za-z])", line):
            if token.startswith("\x1b["):
                if token.endswith("m"):
                    pen.sgr(token[2:-1])
                continue
            for ch in token:
                fg, bg = pen.colours()
                row.append((ch, fg, bg, pen.bold, pen.underline))
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8", errors="replace") as f:
        rows = parse(f.read())
    cols = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    img = Image.new("RGB", (cols * CELL_W + 16, len(rows) * CELL_H + 16), BG)
    draw = ImageDraw.Draw(img)
    mono = ImageFont.truetype(MONO, FONT_SIZE)
    mono_bold = ImageFont.truetype(MONO_BOLD, FONT_SIZE)
    cjk = ImageFont.truetype(CJK, FONT_SIZE, index=1)
    emoji = ImageFont.truetype(EMOJI, 109)
    for y, row in enumerate(rows):
        x = 0
        for ch, fg, bg, bold, underline in row:
            w = cell_width(ch)
            if w == 0:
                continue
            px, py = 8 + x * CELL_W, 8 + y * CELL_H
            draw.rectangle([px, py, px + w * CELL_W - 1, py + CELL_H - 1], fill=bg)
            if ch != " ":
                font = mono_bold if bold else mono
                if unicodedata.category(ch) == "So" and ord(ch) > 0x1f000:
                    glyph = Image.new("RGBA", (136, 128), (0, 0, 0, 0))
                    ImageDraw.Draw(glyph).text((0, 0), ch, font=emoji, embedded_color=True)
                    glyph = glyph.resize((w * CELL_W, CELL_H - 2))
                    img.paste(glyph, (px, py + 1), glyph)
                else:
                    if w == 2 or not font.getmask(ch).getbbox():
                        font = cjk
                    draw.text((px, py + 1), ch, font=font, fill=fg)
            if underline:
                draw.line([px, py + CELL_H - 2, px + w * CELL_W - 1, py + CELL_H - 2], fill=fg)
            x += w
    img.save(out, optimize=True)


if __name__ == "__main__":
    main()
