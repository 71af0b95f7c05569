"""Make the demo course's two short clips from its own pictures (images/), with
Thai captions, so the demo's video blocks play a file of the site's own
instead of pointing at a video site that cannot be reached here.

Run after make_images.py, with ffmpeg (libvpx) on the PATH:

    python make_video.py

Each clip is a slide show of four-second pictures, WebM (VP9, no sound) at
720 px wide, and stays well under 1 MB; the captions are WebVTT, one cue per
picture. The results are committed, so the site needs no ffmpeg at run time.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
IMAGES = HERE / "images"
OUT = HERE / "videos"
SECONDS = 4

CLIPS = {
    "net-pracharat-intro": [
        ("villages-network.png", "เน็ตประชารัฐ นำอินเทอร์เน็ตความเร็วสูงถึง 24,700 หมู่บ้าน"),
        ("village-wifi-overview.png", "สายไฟเบอร์มาถึงตู้อุปกรณ์ แล้วกระจาย Wi-Fi ให้ชาวบ้าน"),
        ("access-point-pole.png", "ตัวกระจายสัญญาณอยู่บนเสา ห้ามปีนหรือแตะเอง"),
        ("volunteer-roles.png", "เน็ตอาสา 1 คนต่อหมู่บ้าน ช่วยชาวบ้านใช้เน็ตให้เป็น"),
    ],
    "onu-status-lights": [
        ("onu-led-lights.png", "ดูไฟ POWER PON LOS และ LAN บนเครื่อง"),
        ("cabinet-check.png", "ตรวจตู้จากภายนอกเท่านั้น ห้ามเปิดเอง"),
        ("fault-report-flow.png", "ไฟผิดปกติ: จด ถ่ายรูป แล้วแจ้งศูนย์บริการ"),
    ],
}


def timestamp(seconds: int) -> str:
    return f"00:{seconds // 60:02d}:{seconds % 60:02d}.000"


def make_clip(ffmpeg: str, name: str, slides: list[tuple[str, str]], work: Path) -> Path:
    listing = work / f"{name}.txt"
    lines = []
    for picture, _caption in slides:
        lines += [f"file '{IMAGES / picture}'", f"duration {SECONDS}"]
    # The concat demuxer needs the last picture once more to hold it for its duration.
    lines.append(f"file '{IMAGES / slides[-1][0]}'")
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    clip = OUT / f"{name}.webm"
    # Only this script's own file names go into the command.
    subprocess.run(  # noqa: S603
        [
            ffmpeg, "-y", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", str(listing),
            "-vf", "scale=720:-2,fps=5,format=yuv420p", "-c:v", "libvpx-vp9", "-crf", "42",
            "-b:v", "0", "-deadline", "good", "-row-mt", "1", "-an", str(clip),
        ],
        check=True,
    )
    cues = ["WEBVTT", ""]
    for index, (_picture, caption) in enumerate(slides):
        cues += [
            str(index + 1),
            f"{timestamp(index * SECONDS)} --> {timestamp((index + 1) * SECONDS)}",
            caption,
            "",
        ]
    (OUT / f"{name}.th.vtt").write_text("\n".join(cues), encoding="utf-8")
    return clip


def main():
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise SystemExit("ffmpeg is needed: apt-get install ffmpeg")
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for name, slides in CLIPS.items():
            clip = make_clip(ffmpeg, name, slides, Path(work))
            print(f"{clip.name}: {clip.stat().st_size // 1024} KB, {len(slides) * SECONDS} s")


if __name__ == "__main__":
    main()
