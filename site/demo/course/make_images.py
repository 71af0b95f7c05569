"""Draw the illustrative diagrams used by the demo course (course.json).

Run from anywhere with a Python that has Pillow built with libraqm:

    python make_images.py

libraqm matters: without it Pillow places Thai vowels and tone marks
side by side instead of stacking them (e.g. in "ผู้" or "เปลี่ยน"), so the
script refuses to run rather than produce garbled labels.

The pictures are deliberately simple flat diagrams: they must stay legible on
small, cheap phone screens and small in bytes (each under 60 KB), so every
image is reduced to a small adaptive palette before saving as PNG.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

HERE = Path(__file__).resolve().parent
OUT = HERE / "images"
FONT_DIR = Path("/usr/share/fonts/truetype/tlwg")
W, H = 1200, 675

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
    # Waree is a clear sans-serif Thai face from the tlwg package; its marks
    # stack correctly when shaped by raqm.
    name = "Waree-Bold.ttf" if bold else "Waree.ttf"
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
    while size > 12:
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
    d.rectangle([0, 0, W, 78], fill=NAVY)
    d.text((40, 39), im.info["title"], font=font(34, True), fill=LIGHT, anchor="lm")
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
    im, d = canvas("เน็ตประชารัฐเดินทางมาถึงหมู่บ้านอย่างไร")
    ground = 560
    d.rectangle([0, ground, W, H], fill="#CFE3C8")

    # Fibre coming in along the road.
    d.line([(0, 470), (250, 470)], fill=ORANGE, width=10)
    label(d, (20, 400), "สายไฟเบอร์ออปติก\nจากโครงข่ายหลัก", 22, True, ORANGE)

    # Equipment cabinet.
    box(d, [250, 380, 400, ground], fill="#B8C4CF", outline=GREY, radius=6)
    d.rectangle([270, 400, 380, 450], fill=DARK)
    for i, c in enumerate([GREEN, GREEN, GREY, YELLOW]):
        d.ellipse([280 + i * 24, 418, 292 + i * 24, 430], fill=c)
    d.rectangle([315, 470, 335, 500], fill=GREY)  # lock
    badge(d, (325, 582), 1, NAVY)
    label(d, (325, 604), "ตู้อุปกรณ์\nONU / เราเตอร์", 21, True, NAVY, "ma", spacing=4)

    # Cable to the pole.
    d.line([(400, 470), (560, 470), (560, 310)], fill=BLUE, width=6)

    # Pole with access point.
    d.rectangle([590, 230, 606, ground], fill=GREY)
    box(d, [548, 250, 648, 310], fill=LIGHT, outline=NAVY, radius=10)
    d.ellipse([592, 290, 602, 300], fill=GREEN)
    d.line([(565, 250), (565, 215)], fill=NAVY, width=5)
    d.line([(631, 250), (631, 215)], fill=NAVY, width=5)
    waves(d, (598, 250), [60, 100, 140], start=-160, end=-20)
    badge(d, (598, 582), 2, NAVY)
    label(d, (598, 604), "ตัวกระจายสัญญาณ\n(Access Point) บนเสา", 21, True, NAVY, "ma", spacing=4)

    # Villagers with phones inside the coverage area.
    box(d, [800, 300, 1160, ground - 10], fill=SKY, radius=24, width=0)
    badge(d, (850, 336), 3, NAVY)
    label(d, (880, 336), "ชาวบ้านใช้ Wi-Fi ฟรี", 26, True, NAVY, "lm")
    for x, c in [(860, TEAL), (950, ORANGE), (1040, BLUE), (1110, YELLOW)]:
        person(d, x, 400, c, 0.9)
        phone(d, x + 10, 430, 26, 44)
    waves(d, (760, 360), [40, 70], start=-40, end=40)
    label(d, (980, 604), "ในรัศมีสัญญาณ\nรอบจุดบริการ", 21, True, NAVY, "ma", spacing=4)
    return save(im, "village-wifi-overview.png")


# --------------------------------------------------------------------------
# 2. Status lights on the ONU / router
# --------------------------------------------------------------------------
def onu_led_lights():
    im, d = canvas("ไฟสถานะบน ONU / เราเตอร์ (ตัวอย่าง)")

    # Device front panel.
    box(d, [70, 130, 1130, 260], fill="#E9EEF2", outline=GREY, radius=22)
    label(d, (110, 150), "ONU", 26, True, GREY)
    leds = [
        ("POWER", GREEN, "ติดค้าง = มีไฟเลี้ยงปกติ\nดับ = ไม่มีไฟเข้า\nให้ตรวจปลั๊กและเบรกเกอร์"),
        ("PON", GREEN, "ติดค้าง = ต่อโครงข่ายได้\nกะพริบนานหรือดับ\n= เชื่อมต่อไม่สำเร็จ"),
        ("LOS", RED, "ปกติต้องดับ\nติดหรือกะพริบสีแดง\n= สัญญาณไฟเบอร์ขาด"),
        ("LAN", YELLOW, "ติดหรือกะพริบ\n= มีอุปกรณ์ต่ออยู่\nและกำลังรับส่งข้อมูล"),
    ]
    xs = [300, 500, 700, 900]
    for (name, color, _), x in zip(leds, xs, strict=True):
        d.ellipse([x - 18, 172, x + 18, 208], fill=color, outline=DARK, width=2)
        label(d, (x, 222), name, 22, True, DARK, "ma")

    # Explanation cards, one per light, connected by leader lines.
    card_w = 265
    for i, ((name, color, text), x) in enumerate(zip(leds, xs, strict=True)):
        cx = 40 + i * (card_w + 15)
        box(d, [cx, 330, cx + card_w, 540], fill=LIGHT, outline=color, radius=16, width=4)
        d.line([(x, 255), (x, 290), (cx + card_w // 2, 290), (cx + card_w // 2, 330)], fill=color, width=3)
        label(d, (cx + 18, 345), name, 28, True, color if color != YELLOW else ORANGE)
        fit_label(d, (cx + 18, 395), text, card_w - 36, 21, False, DARK, spacing=12)

    box(d, [40, 570, 1160, 645], fill=SKY, radius=14, width=0)
    label(d, (600, 607), "ชื่อและสีของไฟอาจต่างกันตามรุ่น ให้ดูป้ายหรือคู่มือที่ติดมากับอุปกรณ์ และห้ามเปิดฝาเครื่องเอง",
          21, True, NAVY, "mm")
    return save(im, "onu-led-lights.png")


# --------------------------------------------------------------------------
# 3. What to look at on the equipment cabinet (from the outside only)
# --------------------------------------------------------------------------
def cabinet_check():
    im, d = canvas("ตรวจตู้อุปกรณ์จากภายนอก: ดูให้ครบ แต่ไม่เปิดเอง")
    # Cabinet drawn in the middle, raised on a base above flood level.
    d.rectangle([0, 590, W, H], fill="#CFE3C8")
    d.rectangle([500, 520, 700, 590], fill="#9AA5B1")  # concrete base
    box(d, [480, 150, 720, 520], fill="#B8C4CF", outline=GREY, radius=8)
    for y in range(180, 260, 16):  # vents
        d.line([(510, y), (600, y)], fill=GREY, width=5)
    d.rectangle([640, 300, 675, 360], fill=DARK)  # lock
    d.ellipse([650, 315, 665, 330], fill=YELLOW)
    d.rectangle([560, 430, 640, 470], fill=ORANGE)  # warning sticker
    label(d, (600, 450), "ระวัง", 20, True, LIGHT, "mm")
    d.line([(720, 480), (800, 480), (800, 590)], fill=DARK, width=6)  # power cable
    d.line([(480, 400), (380, 400), (380, 590)], fill=ORANGE, width=6)  # fibre

    notes_left = [
        ((120, 150), "ช่องระบายอากาศ\nไม่มีฝุ่น ใยแมงมุม รังแมลง", (510, 210)),
        ((120, 300), "สายไฟเบอร์ (สีส้ม)\nไม่หักงอ ไม่ถูกดึงหรือแทะ", (440, 400)),
        ((120, 460), "ฐานตั้งสูงพ้นน้ำ\nไม่มีน้ำขังรอบตู้", (500, 560)),
    ]
    notes_right = [
        ((830, 150), "ตู้ล็อกกุญแจอยู่เสมอ\nห้ามเปิด ห้ามงัด", (675, 330)),
        ((830, 300), "ป้ายเตือน/ซีล\nอยู่ครบ ไม่ถูกแกะ", (640, 450)),
        ((830, 460), "สายไฟ ปลั๊ก เบรกเกอร์\nเสียบแน่น ไม่ไหม้ ไม่เปียก", (800, 540)),
    ]
    for (pos, text, target) in notes_left + notes_right:
        x, y = pos
        box(d, [x - 12, y - 10, x + 278, y + 76], fill=LIGHT, outline=BLUE, radius=12, width=3)
        label(d, (x, y), text, 20, False, DARK, spacing=8)
        anchor_x = x + 278 if x < 480 else x - 12
        d.line([(anchor_x, y + 33), target], fill=BLUE, width=3)
        d.ellipse([target[0] - 7, target[1] - 7, target[0] + 7, target[1] + 7], fill=BLUE)
    return save(im, "cabinet-check.png")


# --------------------------------------------------------------------------
# 4. Access point on a pole
# --------------------------------------------------------------------------
def access_point_pole():
    im, d = canvas("ตัวกระจายสัญญาณ Wi-Fi (Access Point) บนเสา")
    d.rectangle([0, 600, W, H], fill="#CFE3C8")
    pole_x = 250
    d.rectangle([pole_x - 10, 200, pole_x + 10, 600], fill=GREY)
    # Earth wire / lightning rod running down the pole.
    d.line([(pole_x + 16, 215), (pole_x + 16, 600)], fill="#7A4A1D", width=3)
    d.polygon([(pole_x + 16, 170), (pole_x + 6, 205), (pole_x + 26, 205)], fill="#7A4A1D")
    box(d, [pole_x - 70, 290, pole_x + 70, 370], fill=LIGHT, outline=NAVY, radius=12)
    d.ellipse([pole_x - 6, 345, pole_x + 6, 357], fill=GREEN)
    d.line([(pole_x - 50, 290), (pole_x - 50, 240)], fill=NAVY, width=6)
    d.line([(pole_x + 50, 290), (pole_x + 50, 240)], fill=NAVY, width=6)
    waves(d, (pole_x, 290), [80, 130, 180], start=-165, end=-15, width=6)
    # A tree growing into the signal path.
    d.line([(470, 600), (470, 430)], fill="#7A4A1D", width=16)
    d.ellipse([400, 330, 540, 450], fill="#4E9A51")

    notes = [
        ("เสาอากาศ: อย่าหมุน ดัด หรือย้ายเอง", 120, (pole_x + 50, 250)),
        ("ไฟ LED ที่ตัวเครื่อง: ติด = ทำงาน", 215, (pole_x + 45, 351)),
        ("สายดิน/หลักล่อฟ้า: ต้องไม่ขาดหลุด", 310, (pole_x + 16, 470)),
        ("กิ่งไม้บังสัญญาณ: แจ้งผู้ให้บริการ", 405, (530, 400)),
        ("ห้ามปีนเสา ห้ามแตะสายไฟฟ้า", 500, None),
    ]
    for text, y, target in notes:
        box(d, [640, y, 1160, y + 70], fill=LIGHT, outline=TEAL, radius=14, width=3)
        fit_label(d, (665, y + 35), text, 470, 22, True, DARK, "lm")
        if target:
            d.line([(640, y + 35), target], fill=TEAL, width=3)
            d.ellipse([target[0] - 6, target[1] - 6, target[0] + 6, target[1] + 6], fill=TEAL)
    return save(im, "access-point-pole.png")


# --------------------------------------------------------------------------
# 5. Fault report flow
# --------------------------------------------------------------------------
def fault_report_flow():
    im, d = canvas("เมื่อเน็ตในหมู่บ้านใช้ไม่ได้: ขั้นตอนแจ้งเหตุ")
    steps = [
        ("1", "สังเกตอาการ", "ใช้ไม่ได้ทั้งหมู่บ้าน\nหรือบางเครื่อง?", BLUE),
        ("2", "ตรวจเบื้องต้น", "ไฟเข้าไหม\nไฟ LED เป็นอย่างไร", TEAL),
        ("3", "จดและถ่ายรูป", "วันที่ เวลา อาการ\nรูปไฟ LED และตู้", YELLOW),
        ("4", "แจ้งศูนย์บริการ", "ศูนย์บริการลูกค้า\nของผู้ให้บริการ", ORANGE),
        ("5", "ติดตามผล", "จดเลขรับแจ้ง\nแจ้งชาวบ้านให้ทราบ", NAVY),
    ]
    bw, gap, top = 200, 30, 190
    left = (W - (bw * 5 + gap * 4)) // 2
    for i, (num, head, body, color) in enumerate(steps):
        x = left + i * (bw + gap)
        box(d, [x, top, x + bw, top + 300], fill=LIGHT, outline=color, radius=20, width=5)
        d.ellipse([x + bw // 2 - 34, top - 34, x + bw // 2 + 34, top + 34], fill=color)
        label(d, (x + bw // 2, top), num, 34, True, LIGHT, "mm")
        fit_label(d, (x + bw // 2, top + 70), head, bw - 24, 24, True, DARK, "ma")
        label(d, (x + bw // 2, top + 140), body, 19, False, DARK, "ma", spacing=10)
        if i < 4:
            arrow(d, (x + bw + 4, top + 150), (x + bw + gap - 2, top + 150), fill=GREY, width=5, head=12)
    box(d, [60, 540, 1140, 630], fill=SKY, radius=14, width=0)
    label(d, (600, 585), "ข้อมูลที่ละเอียด ทำให้ช่างซ่อมได้เร็ว — ห้ามเปิดตู้หรือซ่อมอุปกรณ์เอง",
          24, True, NAVY, "mm")
    return save(im, "fault-report-flow.png")


# --------------------------------------------------------------------------
# 6. Volunteer app screen layout (generic mock-up, not a real screenshot)
# --------------------------------------------------------------------------
def app_screen_layout():
    im, d = canvas("หน้าจอแอป \"เครือข่ายเน็ตอาสาประชารัฐ\" (ภาพจำลอง)")
    px, py, pw, ph = 430, 100, 340, 560
    box(d, [px, py, px + pw, py + ph], fill=DARK, radius=40, width=0)
    d.rectangle([px + 16, py + 50, px + pw - 16, py + ph - 50], fill=LIGHT)
    d.rectangle([px + 16, py + 50, px + pw - 16, py + 110], fill=BLUE)
    label(d, (px + pw // 2, py + 80), "เน็ตอาสาประชารัฐ", 22, True, LIGHT, "mm")
    # Profile strip.
    d.ellipse([px + 36, py + 125, px + 86, py + 175], fill=TEAL)
    label(d, (px + 100, py + 130), "สวัสดี อาสาฯ", 18, True, DARK)
    label(d, (px + 100, py + 155), "หมู่บ้านของฉัน", 16, False, GREY)
    tiles = [("ข่าวสาร", BLUE), ("ส่งรายงาน", ORANGE), ("แบบสำรวจ", TEAL), ("โปรไฟล์", YELLOW)]
    tw, th = 135, 120
    for i, (name, color) in enumerate(tiles):
        tx = px + 30 + (i % 2) * (tw + 10)
        ty = py + 200 + (i // 2) * (th + 12)
        box(d, [tx, ty, tx + tw, ty + th], fill=color, radius=16, width=0)
        label(d, (tx + tw // 2, ty + th // 2), name, 21, True, LIGHT, "mm")
    d.ellipse([px + pw // 2 - 18, py + ph - 42, px + pw // 2 + 18, py + ph - 6], outline=GREY, width=3)

    notes_left = [
        ("ข่าวสาร", "อ่านประกาศและข่าวจาก\nกระทรวงและหน่วยงาน", py + 260, BLUE),
        ("แบบสำรวจ", "ตอบแบบสำรวจ\nที่ได้รับมอบหมาย", py + 392, TEAL),
    ]
    notes_right = [
        ("ส่งรายงาน", "ส่งข้อความและรูปถ่าย\nเช่น แจ้งอุปกรณ์ขัดข้อง", py + 260, ORANGE),
        ("โปรไฟล์", "ข้อมูลของเรา ตั้งค่า\nและออกจากระบบ", py + 392, YELLOW),
    ]
    for title, text, y, color in notes_left:
        box(d, [40, y - 50, 380, y + 50], fill=LIGHT, outline=color, radius=14, width=4)
        label(d, (60, y - 38), title, 22, True, DARK)
        label(d, (60, y - 6), text, 17, False, DARK, spacing=6)
        d.line([(380, y), (px + 30, y)], fill=color, width=3)
    for title, text, y, color in notes_right:
        box(d, [820, y - 50, 1160, y + 50], fill=LIGHT, outline=color, radius=14, width=4)
        label(d, (840, y - 38), title, 22, True, DARK)
        label(d, (840, y - 6), text, 17, False, DARK, spacing=6)
        d.line([(px + pw - 30, y), (820, y)], fill=color, width=3)
    label(d, (210, 150), "เมนูจริงอาจต่างจากภาพนี้\nตามรุ่นของแอป", 19, False, GREY, "ma")
    return save(im, "app-screen-layout.png")


# --------------------------------------------------------------------------
# 7. The nationwide picture: many villages, one volunteer each
# --------------------------------------------------------------------------
def villages_network():
    im, d = canvas("เน็ตประชารัฐ: หมู่บ้านทั่วประเทศเชื่อมถึงกัน")
    import random

    # Fixed seed so the "map" looks the same every time the script runs.
    rnd = random.Random(2562)
    hub = (330, 380)
    points = []
    while len(points) < 70:
        x, y = rnd.randint(60, 620), rnd.randint(110, 650)
        inside = (x - hub[0]) ** 2 / 300 ** 2 + (y - hub[1]) ** 2 / 270 ** 2 < 1
        clear_of_hub = (x - hub[0]) ** 2 + (y - hub[1]) ** 2 > 85 ** 2
        if inside and clear_of_hub:
            points.append((x, y))
    for x, y in points:
        d.line([hub, (x, y)], fill="#BFD6EA", width=2)
    for x, y in points:
        d.polygon([(x, y - 12), (x - 11, y), (x + 11, y)], fill=ORANGE)
        d.rectangle([x - 8, y, x + 8, y + 11], fill=YELLOW)
    d.ellipse([hub[0] - 56, hub[1] - 56, hub[0] + 56, hub[1] + 56], fill=NAVY)
    label(d, hub, "โครงข่าย", 17, True, LIGHT, "mm")

    facts = [
        ("24,700", "หมู่บ้านเป้าหมายที่ได้อินเทอร์เน็ตความเร็วสูง"),
        ("1 คน", "เน็ตอาสาประชารัฐ ต่อ 1 หมู่บ้าน"),
        ("77 ครั้ง", "การอบรม ปลาย พ.ย. 2561 – ต้น ก.พ. 2562"),
        ("กว่า 5 ล้านคน", "ลงทะเบียนและใช้งานเน็ตประชารัฐ"),
    ]
    for i, (big, small) in enumerate(facts):
        y = 120 + i * 135
        box(d, [680, y, 1160, y + 115], fill=LIGHT, outline=BLUE, radius=16, width=3)
        label(d, (705, y + 12), big, 38, True, NAVY)
        label(d, (705, y + 70), small, 19, False, DARK)
    return save(im, "villages-network.png")


# --------------------------------------------------------------------------
# 8. The volunteer's roles
# --------------------------------------------------------------------------
def volunteer_roles():
    import math

    im, d = canvas("บทบาทของเน็ตอาสาประชารัฐในหมู่บ้าน")
    c = (600, 380)
    roles = [
        ("ให้ความรู้\nการใช้เน็ต", BLUE),
        ("ช่วยชาวบ้าน\nเชื่อมต่อ Wi-Fi", TEAL),
        ("ดูแลอุปกรณ์\nในหมู่บ้าน", ORANGE),
        ("แจ้งปัญหา\nให้ผู้ให้บริการ", RED),
        ("ส่งต่อข่าวสาร\nที่ถูกต้อง", YELLOW),
        ("ผู้นำการเปลี่ยนแปลง\nดิจิทัลระดับตำบล", NAVY),
    ]
    rx, ry = 410, 215
    for i in range(len(roles)):
        ang = -math.pi / 2 + i * 2 * math.pi / len(roles)
        x, y = c[0] + rx * math.cos(ang), c[1] + ry * math.sin(ang)
        d.line([c, (x, y)], fill="#BFD6EA", width=6)
    for i, (text, color) in enumerate(roles):
        ang = -math.pi / 2 + i * 2 * math.pi / len(roles)
        x, y = c[0] + rx * math.cos(ang), c[1] + ry * math.sin(ang)
        box(d, [x - 150, y - 50, x + 150, y + 50], fill=color, radius=26, width=0)
        label(d, (x, y), text, 22, True, LIGHT, "mm", spacing=6)
    d.ellipse([c[0] - 120, c[1] - 80, c[0] + 120, c[1] + 80], fill=LIGHT, outline=NAVY, width=5)
    person(d, c[0], c[1] - 45, TEAL, 0.6)
    label(d, (c[0], c[1] + 35), "เน็ตอาสา\nประชารัฐ", 20, True, NAVY, "mm", spacing=4)
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
