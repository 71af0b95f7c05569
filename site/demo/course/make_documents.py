"""Render the two printable forms used by the demo course (course.json).

    python make_documents.py

Needs WeasyPrint. The Thai font is loaded from the tlwg package through
@font-face so the PDFs do not depend on the fonts a viewer happens to have;
WeasyPrint embeds only the glyphs used, which keeps each file small.
"""

from pathlib import Path

from weasyprint import HTML

HERE = Path(__file__).resolve().parent
OUT = HERE / "documents"
FONT_DIR = Path("/usr/share/fonts/truetype/tlwg")

# Laksaman is the tlwg copy of the Sarabun-style face used on Thai
# government forms, so printed pages look familiar to village officials.
CSS = f"""
@font-face {{ font-family: Thai; src: url("file://{FONT_DIR / 'Laksaman.ttf'}"); }}
@font-face {{ font-family: Thai; font-weight: bold; src: url("file://{FONT_DIR / 'Laksaman-Bold.ttf'}"); }}
@page {{ size: A4; margin: 10mm 13mm 8mm 13mm; }}
p {{ margin: 0 0 2mm 0; }}
body {{ font-family: Thai; font-size: 13pt; line-height: 1.4; color: #111; }}
h1 {{ font-size: 21pt; margin: 0 0 2mm 0; text-align: center; }}
p.sub {{ text-align: center; margin: 0 0 3mm 0; font-size: 13pt; }}
table {{ width: 100%; border-collapse: collapse; margin: 2mm 0 4mm 0; }}
th, td {{ border: 0.6pt solid #333; padding: 1mm 2mm; line-height: 1.3; vertical-align: top; font-size: 12.5pt; }}
th {{ background: #e4edf5; }}
td.box {{ width: 14mm; text-align: center; }}
/* Solid rather than dotted write-in lines: WeasyPrint draws every dot as a
   separate shape, which made each page over 100 KB. */
.line {{ border-bottom: 0.5pt solid #777; display: inline-block; min-width: 60mm; }}
.wide {{ min-width: 120mm; }}
.note {{ font-size: 12.5pt; margin-top: 2mm; }}
/* Drawn tick boxes: the Thai fonts have no ballot-box glyph, and a fallback
   font for one character would nearly double the file size. */
span.cb {{ display: inline-block; width: 3.2mm; height: 3.2mm; border: 0.7pt solid #222;
          vertical-align: -0.3mm; margin-right: 1mm; }}
span.opt {{ white-space: nowrap; margin-right: 3mm; }}
h2 {{ font-size: 15pt; margin: 2mm 0 0.5mm 0; }}
"""

CB = "<span class='cb'></span>"  # an empty tick box, styled by span.cb above



def opts(*names):
    """Tick-box options that never break across lines (Thai wraps anywhere)."""
    return " ".join(f"<span class='opt'>{CB}{n}</span>" for n in names)


CHECK_ITEMS = [
    "ไฟฟ้าเข้าตู้ปกติ ปลั๊กและสายไฟไม่หลวม ไม่ไหม้ ไม่เปียก",
    "ตู้อุปกรณ์ล็อกกุญแจอยู่ ซีลและป้ายเตือนอยู่ครบ ไม่มีร่องรอยงัดแงะ",
    "ไฟ POWER ที่ ONU/เราเตอร์ ติดค้าง",
    "ไฟ PON ติดค้าง และไฟ LOS ดับ (ไม่มีไฟสีแดง)",
    "ไฟ LED ที่ตัวกระจายสัญญาณ (Access Point) ติดตามปกติ",
    "สายไฟเบอร์และสายสัญญาณไม่หักงอ ไม่ขาด ไม่ถูกสัตว์แทะ",
    "ช่องระบายอากาศไม่มีฝุ่น ใยแมงมุม รังมดหรือรังแมลงอุดตัน",
    "ไม่มีน้ำรั่วซึมเข้าตู้ ไม่มีน้ำขังรอบฐานตู้",
    "สายดินและอุปกรณ์กันฟ้าผ่าอยู่ในสภาพเดิม ไม่ขาดหลุด",
    "ไม่มีกิ่งไม้หรือสิ่งก่อสร้างใหม่บังตัวกระจายสัญญาณ",
    "ทดลองเชื่อมต่อ Wi-Fi ด้วยโทรศัพท์ และเปิดเว็บไซต์ได้",
]


def equipment_log():
    rows = "".join(
        f"<tr><td style='width:8mm;text-align:center'>{i}</td><td>{item}</td>"
        f"<td class='box'>{CB}</td><td class='box'>{CB}</td><td style='width:38mm'></td></tr>"
        for i, item in enumerate(CHECK_ITEMS, 1)
    )
    html = f"""<html><head><meta charset="utf-8"><style>{CSS}</style></head><body>
<h1>แบบบันทึกการตรวจอุปกรณ์ประจำเดือน</h1>
<p class="sub">อุปกรณ์เน็ตประชารัฐในหมู่บ้าน สำหรับเน็ตอาสาประชารัฐ</p>
<p>หมู่บ้าน <span class="line"></span> ตำบล <span class="line" style="min-width:45mm"></span><br>
อำเภอ <span class="line"></span> จังหวัด <span class="line" style="min-width:45mm"></span><br>
เดือน/ปี ที่ตรวจ <span class="line" style="min-width:40mm"></span> วันที่ตรวจ <span class="line" style="min-width:30mm"></span>
เวลา <span class="line" style="min-width:22mm"></span></p>
<table><tr><th>ที่</th><th>รายการตรวจ (ดูจากภายนอก ห้ามเปิดตู้หรือเปิดฝาเครื่อง)</th>
<th>ปกติ</th><th>ผิดปกติ</th><th>หมายเหตุ</th></tr>{rows}</table>
<p>สิ่งที่พบเพิ่มเติม <span class="line wide"></span><br><span class="line wide" style="min-width:178mm"></span></p>
<p>ถ่ายรูปไว้แล้ว {opts("ใช่", "ไม่ใช่")}<br>
แจ้งผู้ให้บริการแล้ว {opts("ใช่")} เลขรับแจ้ง <span class="line" style="min-width:40mm"></span> {opts("ไม่ต้องแจ้ง")}</p>
<p>ลงชื่อผู้ตรวจ <span class="line"></span> (เน็ตอาสาประชารัฐ)</p>
<p class="note"><b>ข้อควรจำ:</b> หากพบจุดผิดปกติ ให้จดวันที่ เวลา อาการ และถ่ายรูป แล้วแจ้งศูนย์บริการลูกค้าของผู้ให้บริการ
ห้ามเปิดตู้ ห้ามย้ายอุปกรณ์ และห้ามปีนเสาเอง เก็บแบบบันทึกนี้ไว้เป็นแฟ้มทุกเดือน</p>
</body></html>"""
    path = OUT / "equipment-check-log.pdf"
    HTML(string=html).write_pdf(path)
    return path


def fault_report_form():
    symptoms = [
        "ใช้ Wi-Fi ไม่ได้ทั้งหมู่บ้าน",
        "เชื่อมต่อ Wi-Fi ได้ แต่เปิดเว็บหรือแอปไม่ได้",
        "ใช้ได้แต่ช้ามาก หรือหลุดบ่อย",
        "ไฟ LOS สีแดงติดหรือกะพริบ",
        "ไม่มีไฟใด ๆ ติดที่ ONU/เราเตอร์",
        "อุปกรณ์หรือตู้เสียหาย (น้ำท่วม ฟ้าผ่า ถูกงัด ถูกชน)",
        "อื่น ๆ (ระบุในช่องรายละเอียด)",
    ]
    sym = "<br>".join(f"{CB} {s}" for s in symptoms)
    leds = "".join(
        f"<tr><td>{name}</td><td class='box'>{CB}</td><td class='box'>{CB}</td><td class='box'>{CB}</td></tr>"
        for name in ["POWER", "PON", "LOS", "LAN", "ไฟที่ Access Point"]
    )
    html = f"""<html><head><meta charset="utf-8"><style>{CSS}</style></head><body>
<h1>แบบบันทึกแจ้งเหตุขัดข้อง</h1>
<p class="sub">เน็ตประชารัฐในหมู่บ้าน (กรอกก่อนแจ้งศูนย์บริการลูกค้าของผู้ให้บริการ)</p>
<h2>1. ข้อมูลผู้แจ้งและสถานที่</h2>
<p>ชื่อผู้แจ้ง <span class="line"></span> เบอร์โทรติดต่อกลับ <span class="line" style="min-width:40mm"></span><br>
หมู่บ้าน <span class="line"></span> ตำบล <span class="line" style="min-width:40mm"></span><br>
อำเภอ <span class="line"></span> จังหวัด <span class="line" style="min-width:40mm"></span><br>
จุดติดตั้งอุปกรณ์ (เช่น ข้างศาลาประชาคม) <span class="line" style="min-width:90mm"></span></p>
<h2>2. เวลาที่เกิดเหตุ</h2>
<p>เริ่มใช้ไม่ได้ วันที่ <span class="line" style="min-width:35mm"></span> เวลาประมาณ <span class="line" style="min-width:25mm"></span> น.
<br>ก่อนหน้านั้นมี {opts("ฝนตกหรือฟ้าผ่า", "ไฟฟ้าดับ", "น้ำท่วม", "ไม่ทราบ")}</p>
<h2>3. อาการที่พบ</h2><p>{sym}</p>
<h2>4. ไฟสถานะที่เห็น</h2>
<table><tr><th>ไฟ</th><th>ติดค้าง</th><th>กะพริบ</th><th>ดับ</th></tr>{leds}</table>
<h2>5. รายละเอียดเพิ่มเติมและรูปถ่าย</h2>
<p><span class="line wide" style="min-width:178mm"></span><br><span class="line wide" style="min-width:178mm"></span><br>
ถ่ายรูปแล้ว {opts("ไฟ LED", "ตู้อุปกรณ์", "ความเสียหาย")} จำนวน <span class="line" style="min-width:15mm"></span> รูป</p>
<h2>6. การแจ้งและการติดตาม</h2>
<p>แจ้งเมื่อ วันที่ <span class="line" style="min-width:30mm"></span> เวลา <span class="line" style="min-width:20mm"></span> น.
<br>ช่องทาง {opts("โทรศัพท์", "แอปพลิเคชัน", "อื่น ๆ")}<br>
เลขรับแจ้ง <span class="line"></span> ชื่อเจ้าหน้าที่ที่รับเรื่อง <span class="line" style="min-width:45mm"></span><br>
ใช้งานได้ตามปกติเมื่อ วันที่ <span class="line" style="min-width:30mm"></span> แจ้งชาวบ้านแล้ว {CB}</p>
<p class="note"><b>ข้อควรจำ:</b> ห้ามเปิดตู้ ห้ามเปิดฝาเครื่อง ห้ามย้ายหรือปีนเสาเอง
หากมีสายไฟขาดหรือมีกลิ่นไหม้ ให้กันคนออกห่างและแจ้งผู้เกี่ยวข้องทันที</p>
</body></html>"""
    path = OUT / "fault-report-form.pdf"
    HTML(string=html).write_pdf(path)
    return path


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    made = [equipment_log(), fault_report_form()]
    print("made " + ", ".join(f"{p.name} ({p.stat().st_size // 1024} KB)" for p in made))


if __name__ == "__main__":
    main()
