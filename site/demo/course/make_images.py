"""Draw the illustrative diagrams used by the demo course (course.json).

Run from anywhere with a Python that has Pillow built with libraqm:

    python make_images.py

libraqm matters: without it Pillow places Thai vowels and tone marks
side by side instead of stacking them (e.g. in "ผู้" or "เปลี่ยน"), so the
script refuses to run rather than produce garbled labels.

The pictures are deliberately simple flat diagrams: they must stay legible on
small, cheap phone screens, where a lesson shows them about 330 px wide. So
they are drawn at 800 x 600 (shown at about 0.4 of that), with labels of at
least 34 px (about 14 px on the phone), few words, and the Sarabun face the
repository ships for certificates. They must also stay small in bytes (each
under 60 KB), so every image is reduced to a small adaptive palette.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

HERE = Path(__file__).resolve().parent
OUT = HERE / "images"
FONT_DIR = HERE.parents[2] / "certificates" / "static" / "certificates" / "fonts" / "sarabun"
W, H = 800, 600
# Smallest label size: about 14 px once the picture is shown 330 px wide.
SMALL = 34

# A small shared palette keeps the set visually consistent and compresses well.
BG = "#F4F8FB"
NAVY = "#1F4E79"
BLUE = "#2E75B6"
SKY = "#DCEBF7"
TEAL = "#2A9D8F"
ORANGE = "#E76F51"
YELLOW = "#F4A261"
GREEN = "#2DB84B"
RED = "#D62828"
GREY = "#6B7785"
LIGHT = "#FFFFFF"
DARK = "#22303C"


def font(size, bold=False):
    # Sarabun, shipped in the repository for the certificates; its marks
    # stack correctly when shaped by raqm.
    name = "Sarabun-Bold.ttf" if bold else "Sarabun-Regular.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def canvas(title):
    im = Image.new("RGB", (W, H), BG)
    d = ImageDraw.Draw(im)
    # Remember the title: the header bar is painted in save(), after the
    # drawing, so that signal arcs and other shapes never cover it.
    im.info["title"] = title
    return im, d


def box(d, xy, fill, outline=None, radius=18, width=3):
    d.rounded_rectangle(xy, radius=radius, fill=fill, outline=outline, width=width)


def label(d, xy, text, size=24, bold=False, fill=DARK, anchor="la", spacing=8):
    d.multiline_text(xy, text, font=font(size, bold), fill=fill, anchor=anchor,
                     spacing=spacing, align="center" if anchor[0] == "m" else "left")


def fit_label(d, xy, text, max_w, size, bold=False, fill=DARK, anchor="la", spacing=8):
    """Like label(), but shrinks the font until every line fits in max_w pixels.

    Thai has no spaces to wrap on, so lines are broken by hand in the text;
    this only guards against a hand-broken line still being too long.
    """
    while size > SMALL:
        widest = max(d.textlength(line, font=font(size, bold)) for line in text.split("\n"))
        if widest <= max_w:
            break
        size -= 1
    label(d, xy, text, size, bold, fill, anchor, spacing)


def badge(d, center, number, color, r=18):
    # Drawn number badges: the Thai fonts have no circled digits (①②③).
    x, y = center
    d.ellipse([x - r, y - r, x + r, y + r], fill=color)
    label(d, (x, y), str(number), int(r * 1.2), True, LIGHT, "mm")


def arrow(d, start, end, fill=NAVY, width=6, head=16):
    """Straight arrow; the head is a triangle aligned with the shaft."""
    import math

    d.line([start, end], fill=fill, width=width)
    ang = math.atan2(end[1] - start[1], end[0] - start[0])
    left = (end[0] - head * math.cos(ang - 0.45), end[1] - head * math.sin(ang - 0.45))
    right = (end[0] - head * math.cos(ang + 0.45), end[1] - head * math.sin(ang + 0.45))
    d.polygon([end, left, right], fill=fill)


def waves(d, center, radii, fill=BLUE, width=5, start=-140, end=-40):
    cx, cy = center
    for r in radii:
        d.arc([cx - r, cy - r, cx + r, cy + r], start, end, fill=fill, width=width)


def phone(d, x, y, w=46, h=80, screen=SKY):
    box(d, [x, y, x + w, y + h], fill=DARK, radius=8, width=0)
    d.rectangle([x + 5, y + 9, x + w - 5, y + h - 12], fill=screen)


def person(d, x, y, color=TEAL, scale=1.0):
    r = int(16 * scale)
    d.ellipse([x - r, y - r, x + r, y + r], fill=color)
    d.rounded_rectangle([x - int(24 * scale), y + r + 4, x + int(24 * scale), y + r + int(60 * scale)],
                        radius=int(14 * scale), fill=color)


def save(im, name):
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, W, 92], fill=NAVY)
    fit_label(d, (W // 2, 46), im.info["title"], W - 40, 44, True, LIGHT, "mm")
    # An adaptive palette of 48 colours is plenty for flat diagrams with
    # anti-aliased text and keeps files well under the 60 KB budget.
    path = OUT / name
    im.quantize(colors=48, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True)
    return path


# --------------------------------------------------------------------------
# 1. How the internet reaches the village
# --------------------------------------------------------------------------
def village_wifi_overview():
    im, d = canvas("เน็ตมาถึงหมู่บ้านอย่างไร")
    ground = 420
    d.rectangle([0, ground, W, H], fill="#CFE3C8")
    d.line([(0, 340), (130, 340)], fill=ORANGE, width=12)  # fibre from the road
    box(d, [130, 240, 250, ground], fill="#B8C4CF", outline=GREY, radius=6)  # cabinet
    for i, c in enumerate([GREEN, GREEN, YELLOW]):
        d.ellipse([152 + i * 30, 270, 170 + i * 30, 288], fill=c)
    d.line([(250, 340), (380, 340), (380, 220)], fill=BLUE, width=8)
    d.rectangle([404, 170, 422, ground], fill=GREY)  # pole
    box(d, [366, 186, 460, 236], fill=LIGHT, outline=NAVY, radius=10)
    waves(d, (413, 186), [50, 85], start=-160, end=-20, width=7)
    for x, c in [(580, TEAL), (670, ORANGE), (750, BLUE)]:
        person(d, x, 300, c, 1.0)
        phone(d, x + 8, 330, 26, 44)
    waves(d, (520, 290), [30, 55], start=-40, end=40, width=6)
    steps = [(1, "ตู้อุปกรณ์", 190), (2, "เสา Wi-Fi", 413), (3, "ชาวบ้านใช้ฟรี", 665)]
    for number, text, x in steps:
        badge(d, (x, 462), number, NAVY, r=24)
        label(d, (x, 498), text, SMALL, True, NAVY, "ma")
    return save(im, "village-wifi-overview.png")


# --------------------------------------------------------------------------
# 2. Status lights on the ONU / router
# --------------------------------------------------------------------------
def onu_led_lights():
    im, d = canvas("ไฟบนเครื่อง ONU (ตัวอย่าง)")
    leds = [
        ("POWER", GREEN, "ติด = มีไฟเข้า"),
        ("PON", GREEN, "ติด = ต่อเน็ตได้"),
        ("LOS", RED, "แดง = สายขาด"),
        ("LAN", YELLOW, "กะพริบ = ใช้งานอยู่"),
    ]
    for i, (name, color, text) in enumerate(leds):
        y = 118 + i * 104
        box(d, [30, y, W - 30, y + 88], fill=LIGHT, outline=color, radius=16, width=4)
        d.ellipse([56, y + 24, 96, y + 64], fill=color, outline=DARK, width=2)
        label(d, (120, y + 44), name, 38, True, DARK, "lm")
        fit_label(d, (330, y + 44), text, W - 380, 38, False, DARK, "lm")
    label(d, (W // 2, 560), "รุ่นต่างกัน ไฟอาจต่างกัน", SMALL, True, NAVY, "mm")
    return save(im, "onu-led-lights.png")


# --------------------------------------------------------------------------
# 3. What to look at on the equipment cabinet (from the outside only)
# --------------------------------------------------------------------------
def cabinet_check():
    im, d = canvas("ตรวจตู้จากข้างนอก ไม่เปิดเอง")
    d.rectangle([0, 540, 300, H], fill="#CFE3C8")
    d.rectangle([70, 490, 230, 540], fill="#9AA5B1")  # base above flood level
    box(d, [50, 130, 250, 490], fill="#B8C4CF", outline=GREY, radius=8)
    for y in range(160, 230, 16):
        d.line([(80, y), (170, y)], fill=GREY, width=6)
    d.rectangle([200, 280, 230, 340], fill=DARK)
    d.ellipse([208, 296, 222, 310], fill=YELLOW)
    d.line([(50, 400), (20, 400), (20, 540)], fill=ORANGE, width=8)
    checks = [
        ("ช่องลม ไม่มีฝุ่น รังแมลง", BLUE),
        ("สายสีส้ม ไม่หัก ไม่งอ", ORANGE),
        ("ตู้ล็อกอยู่ ห้ามงัด", NAVY),
        ("ปลั๊กแน่น ไม่เปียก", TEAL),
        ("ไม่มีน้ำขังรอบตู้", GREEN),
    ]
    for i, (text, color) in enumerate(checks):
        y = 128 + i * 92
        box(d, [290, y, W - 24, y + 78], fill=LIGHT, outline=color, radius=14, width=4)
        # A drawn tick: Sarabun has no check-mark glyph.
        d.line([(314, y + 40), (328, y + 54), (350, y + 24)], fill=color, width=7, joint="curve")
        fit_label(d, (364, y + 39), text, W - 410, 36, True, DARK, "lm")
    return save(im, "cabinet-check.png")


# --------------------------------------------------------------------------
# 4. Access point on a pole
# --------------------------------------------------------------------------
def access_point_pole():
    im, d = canvas("ตัวกระจาย Wi-Fi บนเสา")
    d.rectangle([0, 540, 280, H], fill="#CFE3C8")
    pole_x = 140
    d.rectangle([pole_x - 10, 170, pole_x + 10, 540], fill=GREY)
    d.line([(pole_x + 18, 190), (pole_x + 18, 540)], fill="#7A4A1D", width=4)
    box(d, [pole_x - 70, 250, pole_x + 70, 320], fill=LIGHT, outline=NAVY, radius=12)
    d.ellipse([pole_x - 8, 295, pole_x + 8, 311], fill=GREEN)
    waves(d, (pole_x, 250), [60, 100], start=-165, end=-15, width=7)
    notes = [
        ("ไฟเขียว = ทำงาน", GREEN),
        ("อย่าหมุนเสาอากาศ", NAVY),
        ("กิ่งไม้บัง: แจ้งช่าง", TEAL),
        ("ห้ามปีนเสา", RED),
    ]
    for i, (text, color) in enumerate(notes):
        y = 130 + i * 112
        box(d, [290, y, W - 24, y + 92], fill=LIGHT, outline=color, radius=14, width=4)
        fit_label(d, (318, y + 46), text, W - 360, 40, True, DARK, "lm")
    return save(im, "access-point-pole.png")


# --------------------------------------------------------------------------
# 5. Fault report flow
# --------------------------------------------------------------------------
def fault_report_flow():
    im, d = canvas("เน็ตใช้ไม่ได้: แจ้งอย่างไร")
    steps = [
        ("ดูอาการ: ทั้งหมู่บ้านหรือบางเครื่อง", BLUE),
        ("ดูไฟ LED บนเครื่อง", TEAL),
        ("จดเวลา ถ่ายรูปไฟ", YELLOW),
        ("โทรแจ้งศูนย์บริการ", ORANGE),
        ("จดเลขรับแจ้ง บอกชาวบ้าน", NAVY),
    ]
    for i, (text, color) in enumerate(steps):
        y = 112 + i * 96
        box(d, [100, y, W - 24, y + 80], fill=LIGHT, outline=color, radius=14, width=4)
        badge(d, (56, y + 40), i + 1, color, r=30)
        fit_label(d, (126, y + 40), text, W - 170, 36, True, DARK, "lm")
        if i < len(steps) - 1:
            arrow(d, (56, y + 72), (56, y + 106), fill=GREY, width=5, head=12)
    return save(im, "fault-report-flow.png")


# --------------------------------------------------------------------------
# 6. Volunteer app screen layout (generic mock-up, not a real screenshot)
# --------------------------------------------------------------------------
def app_screen_layout():
    im, d = canvas("แอปเน็ตอาสา (ภาพจำลอง)")
    px, py, pw, ph = 40, 112, 300, 470
    box(d, [px, py, px + pw, py + ph], fill=DARK, radius=36, width=0)
    d.rectangle([px + 14, py + 40, px + pw - 14, py + ph - 40], fill=LIGHT)
    tiles = [("ข่าวสาร", BLUE), ("รายงาน", ORANGE), ("สำรวจ", TEAL), ("โปรไฟล์", YELLOW)]
    tw, th = 122, 170
    for i, (name, color) in enumerate(tiles):
        tx = px + 22 + (i % 2) * (tw + 12)
        ty = py + 58 + (i // 2) * (th + 14)
        box(d, [tx, ty, tx + tw, ty + th], fill=color, radius=16, width=0)
        fit_label(d, (tx + tw // 2, ty + th // 2), name, tw - 8, SMALL, True, LIGHT, "mm")
    notes = [
        ("ข่าวสาร: อ่านประกาศ", BLUE),
        ("รายงาน: ส่งรูป แจ้งเสีย", ORANGE),
        ("สำรวจ: ตอบแบบสำรวจ", TEAL),
        ("โปรไฟล์: ข้อมูลของเรา", YELLOW),
    ]
    for i, (text, color) in enumerate(notes):
        y = 120 + i * 112
        box(d, [370, y, W - 20, y + 92], fill=LIGHT, outline=color, radius=14, width=4)
        fit_label(d, (392, y + 46), text, W - 410, 36, True, DARK, "lm")
    return save(im, "app-screen-layout.png")


# --------------------------------------------------------------------------
# 7. The nationwide picture: many villages, one volunteer each
# --------------------------------------------------------------------------
def villages_network():
    im, d = canvas("หมู่บ้านทั่วประเทศเชื่อมถึงกัน")
    facts = [
        ("24,700", "หมู่บ้านได้เน็ตเร็ว"),
        ("1 คน", "เน็ตอาสาต่อหมู่บ้าน"),
        ("77 รุ่น", "อบรม 2561–2562"),
        ("5 ล้าน+", "คนใช้เน็ตประชารัฐ"),
    ]
    for i, (big, small) in enumerate(facts):
        x = 30 + (i % 2) * 380
        y = 120 + (i // 2) * 236
        box(d, [x, y, x + 360, y + 216], fill=LIGHT, outline=BLUE, radius=18, width=4)
        fit_label(d, (x + 180, y + 70), big, 320, 64, True, NAVY, "mm")
        fit_label(d, (x + 180, y + 160), small, 320, 36, False, DARK, "mm")
    return save(im, "villages-network.png")


# --------------------------------------------------------------------------
# 8. The volunteer's roles
# --------------------------------------------------------------------------
def volunteer_roles():
    im, d = canvas("เน็ตอาสาทำอะไรในหมู่บ้าน")
    roles = [
        ("สอนใช้เน็ต", BLUE),
        ("ช่วยต่อ Wi-Fi", TEAL),
        ("ดูแลอุปกรณ์", ORANGE),
        ("แจ้งเมื่อเสีย", RED),
        ("ส่งข่าวจริง", YELLOW),
        ("พาชุมชนสู่ดิจิทัล", NAVY),
    ]
    for i, (text, color) in enumerate(roles):
        x = 30 + (i % 2) * 380
        y = 116 + (i // 2) * 160
        box(d, [x, y, x + 360, y + 140], fill=color, radius=26, width=0)
        fit_label(d, (x + 180, y + 70), text, 330, 40, True, LIGHT, "mm")
    return save(im, "volunteer-roles.png")


def main():
    if not features.check("raqm"):
        raise SystemExit("Pillow lacks libraqm: Thai tone marks would not stack correctly.")
    OUT.mkdir(parents=True, exist_ok=True)
    made = [f() for f in (village_wifi_overview, onu_led_lights, cabinet_check, access_point_pole,
                          fault_report_flow, app_screen_layout, villages_network, volunteer_roles)]
    total = sum(p.stat().st_size for p in made)
    print(f"made {len(made)} images in {OUT} ({total // 1024} KB in total, "
          f"largest {max(p.stat().st_size for p in made) // 1024} KB)")


if __name__ == "__main__":
    main()
