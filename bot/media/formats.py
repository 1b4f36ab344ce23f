"""What each platform takes: the largest file a bot may download from it, and per kind of message the
formats and sizes it accepts. A file goes as what it is where the platform takes that (a voice note as a
voice note), else as the next kind in `FALLBACK`, at last as a document; larger than any of them, it does
not go.

Sources: Telegram Bot API (getFile: bots download up to 20 MB; sendPhoto up to 10 MB, other files up to
50 MB by multipart upload; sendVoice OGG/Opus, MP3 or M4A); WhatsApp Cloud API supported media types (image
JPEG/PNG 5 MB; audio AAC, AMR, MP3, M4A, OGG/Opus 16 MB; video MP4, 3GPP 16 MB; document 100 MB).
"""

from __future__ import annotations

MB = 1024 * 1024
DOWNLOAD_LIMIT = {"telegram": 20 * MB, "whatsapp": 100 * MB}
ANY = None  # a document may be any format
UPLOAD: dict[str, dict[str, tuple[frozenset[str] | None, int]]] = {
    "telegram": {
        "photo": (frozenset({"image/jpeg", "image/png", "image/webp"}), 10 * MB),
        "voice": (frozenset({"audio/ogg", "audio/mpeg", "audio/mp4"}), 50 * MB),
        "audio": (frozenset({"audio/mpeg", "audio/mp4", "audio/m4a", "audio/ogg"}), 50 * MB),
        "video": (frozenset({"video/mp4"}), 50 * MB),
        "document": (ANY, 50 * MB),
    },
    "whatsapp": {
        "photo": (frozenset({"image/jpeg", "image/png"}), 5 * MB),
        "voice": (frozenset({"audio/ogg"}), 16 * MB),  # a voice note is OGG/Opus on both platforms
        "audio": (frozenset({"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}), 16 * MB),
        "video": (frozenset({"video/mp4", "video/3gpp"}), 16 * MB),
        "document": (ANY, 100 * MB),
    },
}
FALLBACK = {
    "voice": ("voice", "audio", "document"),
    "audio": ("audio", "document"),
    "photo": ("photo", "document"),
    "video": ("video", "document"),
    "document": ("document",),
}
DEFAULT_MIME = {"photo": "image/jpeg", "voice": "audio/ogg", "audio": "audio/mpeg", "video": "video/mp4"}
CAPTIONED = {"telegram": frozenset(FALLBACK), "whatsapp": frozenset({"photo", "video", "document"})}


def bare(mime_type: str | None) -> str:
    """`audio/ogg; codecs=opus` → `audio/ogg`."""
    return (mime_type or "").split(";", 1)[0].strip().lower()


def largest(origin: str, destination: str) -> int:
    """The largest file that can go from one platform to the other at all (as a document)."""
    return min(DOWNLOAD_LIMIT.get(origin, 0), UPLOAD[destination]["document"][1])


def send_as(destination: str, kind: str, mime_type: str | None, size: int) -> str | None:
    """The kind of message the file goes as on `destination`, or None when it is too large for any."""
    accepted = UPLOAD[destination]
    for candidate in FALLBACK.get(kind, ("document",)):
        formats, limit = accepted[candidate]
        if (formats is ANY or bare(mime_type) in formats) and size <= limit:
            return candidate
    return None
