"""The stable vocabulary of page and file issue codes, with zh-CN messages.

Every message tells the applicant what to do. Codes never change meaning; new
ones may be added. :func:`issue` is the only way the pipeline builds an Issue.
"""

from __future__ import annotations

from zcmask.results import IntBBox, Issue, Severity

#: code -> (default severity, zh-CN message template)
ISSUE_CODES: dict[str, tuple[Severity, str]] = {
    "not_jpg": ("error", "文件格式为 {fmt}，平台只接受 JPG（*.jpg）。请用 zcmask check --fix 输出目录 自动转换，"
                "或在画图/WPS 中“另存为 JPG”后上传。"),
    "rotated": ("error", "页面方向不正（内容顺时针旋转了 {rotation}°），请逆时针旋转 {rotation}° 后上传，"
                "或用 zcmask check --fix 输出目录 自动转正。"),
    "exif_rotated": ("warning", "图片依赖 EXIF 方向标记才显示为正向，平台会忽略该标记。请用 --fix 输出转正后的 JPG 再上传。"),
    "illegible": ("error", "页面不清晰，评审专家无法辨认，请重新扫描（建议 200–300 dpi、光线均匀、对焦清楚）。"),
    "blurry": ("error", "页面模糊（对焦不准或抖动），请重新扫描或拍照时保持稳定。"),
    "low_resolution": ("error", "分辨率过低（文字高度约 {px} 像素，相当于约 {dpi} dpi），请按 200 dpi 以上重新扫描。"),
    "too_dark": ("error", "页面过暗，请在光线充足处重新扫描或调高亮度。"),
    "overexposed": ("error", "页面过曝发白，文字看不清，请降低亮度或关闭闪光灯后重新扫描。"),
    "low_contrast": ("error", "页面对比度过低，文字与底色难以区分，请重新扫描并调高对比度。"),
    "too_small": ("error", "图片尺寸过小（{w}×{h} 像素），请按 A4 200 dpi（约 1654×2339 像素）重新扫描。"),
    "too_large": ("warning", "图片尺寸过大（{w}×{h} 像素），上传可能失败，请缩小到 A4 200–300 dpi。"),
    "file_too_large": ("error", "文件大小 {mb:.1f} MB，超过 {limit:.1f} MB 的上限，请降低分辨率或 JPG 质量后重新保存。"),
    "unmasked_name": ("error", "页面仍显示申报人姓名“{text}”，请遮盖后再上传（可用 zcmask mask 自动遮盖）。"),
    "unmasked_unit": ("error", "页面仍显示工作单位“{text}”，请遮盖后再上传（可用 zcmask mask 自动遮盖）。"),
    "unmasked_seal": ("error", "页面仍显示本单位公章，请遮盖后再上传（可用 zcmask mask 自动遮盖）。"),
    "unmasked_eyes": ("error", "照片中的眼睛未遮盖，请遮盖眼部后再上传（可用 zcmask mask 自动遮盖）。"),
    "unmasked_signature": ("error", "签名处可能仍显示申报人手写姓名，请遮盖签名后再上传。"),
    "seal_unreadable": ("warning", "发现一枚无法识别文字的印章，已按本单位公章遮盖；如为发证机关印章请人工核对。"),
    "unreadable_file": ("error", "文件无法打开或已损坏，请重新扫描或重新导出为 JPG 后上传。"),
    "encrypted_pdf": ("error", "PDF 已加密，请去除密码后再处理，或直接导出为 JPG。"),
    "empty_page": ("warning", "页面上几乎没有可识别的文字，请确认扫描的是正确的一面且内容完整。"),
}


def issue(code: str, *, severity: Severity | None = None, bbox: IntBBox | None = None,
          **fmt: object) -> Issue:
    """Build an :class:`Issue` from the catalogue, filling the message template."""
    sev, tmpl = ISSUE_CODES.get(code, ("error", "{message}"))
    try:
        msg = tmpl.format(**fmt)
    except (KeyError, IndexError, ValueError):
        msg = tmpl
    return Issue(code, severity or sev, msg, bbox)
