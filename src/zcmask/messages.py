"""The stable vocabulary of page and file issue codes, with zh-CN messages.

Every message tells the applicant what to do. Codes never change meaning; new
ones may be added. :func:`issue` is the only way the pipeline builds an Issue.
"""

from __future__ import annotations

from zcmask.results import IntBBox, Issue, Severity

#: region kind -> what a person calls it (reports, the web page, the audit page, the CLI summary)
KIND_ZH: dict[str, str] = {"name": "姓名", "unit": "单位", "seal": "公章", "eyes": "眼睛", "signature": "签名",
                           "manual": "手工", "id_number": "身份证号"}


def regions_zh(counts: dict[str, int]) -> str:
    """``{"name": 2, "seal": 1}`` -> ``姓名×2、公章×1`` (``无`` when empty)."""
    return "、".join(f"{KIND_ZH.get(k, k)}×{n}" for k, n in counts.items()) or "无"


#: Chinese names of the page issue codes (the contract asks the message to name the codes too).
ISSUE_ZH: dict[str, str] = {
    "not_jpg": "非 JPG 格式", "rotated": "方向不正", "illegible": "无法辨认", "blurry": "模糊",
    "low_resolution": "分辨率过低", "too_dark": "过暗", "overexposed": "过亮", "low_contrast": "对比度低",
    "unmasked_name": "姓名未遮盖", "unmasked_unit": "单位未遮盖", "unmasked_seal": "公章未遮盖",
    "unmasked_eyes": "眼睛未遮盖", "unmasked_signature": "签名未遮盖", "unreadable_file": "无法读取",
    "encrypted_pdf": "PDF 已加密", "file_too_large": "文件过大", "empty_page": "空白页", "too_small": "尺寸过小",
    "mask_unverified": "遮盖无法确认", "name_chars_unreadable": "姓名含无法识别的字", "mirrored_page": "左右镜像",
}

#: code -> (default severity, zh-CN message template)
ISSUE_CODES: dict[str, tuple[Severity, str]] = {
    "not_jpg": ("error", "文件格式为 {fmt}，平台只接受 JPG（*.jpg）。请用 zcmask check --fix 输出目录 自动转换，"
                "或在画图/WPS 中“另存为 JPG”后上传。"),
    "rotated": ("error", "页面方向不正（{lies}），请{turn}后上传，或用 zcmask check --fix 输出目录 自动转正。"),
    "exif_rotated": ("warning", "图片依赖 EXIF 方向标记才显示为正向，平台会忽略该标记。请用 --fix 输出转正后的 JPG 再上传。"),
    "illegible": ("error", "页面不清晰，评审专家无法辨认，请重新扫描（建议 200–300 dpi、光线均匀、对焦清楚）。"),
    "blurry": ("error", "页面模糊（对焦不准或抖动），请重新扫描；用手机拍照时请双手持稳、点按屏幕对准文字对焦后再拍。"),
    "low_resolution": ("error", "分辨率过低（{text_size}相当于约 {dpi} dpi），请按 200 dpi 以上重新扫描；"
                       "用手机拍照时请让纸张占满取景框、不要用数码变焦，并发送原图（不要压缩）。"),
    "too_dark": ("error", "页面过暗，请在光线充足处重新扫描或拍照（白天靠窗或打开台灯），必要时调高亮度。"),
    "overexposed": ("error", "页面过曝发白，文字看不清，请降低亮度或关闭闪光灯后重新扫描。"),
    "low_contrast": ("error", "页面对比度过低，文字与底色难以区分，请重新扫描并调高对比度；"
                     "拍照时请正对纸张、光线充足，不要隔着塑料膜或在反光处拍摄。"),
    "glare": ("warning", "页面有反光亮斑，部分文字可能被遮住，请关闭闪光灯、避开灯光直射，稍微倾斜手机后重拍。"),
    "shadow": ("warning", "页面有阴影或光照不均，请在均匀的光线下重拍，避免手或手机的影子落在纸上；"
               "也可用 zcmask check --fix 输出目录 自动匀光。"),
    "too_small": ("error", "图片尺寸过小（{w}×{h} 像素），请按 A4 200 dpi（约 1654×2339 像素）重新扫描。"),
    "too_large": ("warning", "图片尺寸过大（{w}×{h} 像素），上传可能失败，请缩小到 A4 200–300 dpi。"),
    "file_too_large": ("error", "文件大小 {mb:.1f} MB，超过 {limit:.1f} MB 的上限，请降低分辨率或 JPG 质量后重新保存。"),
    "unmasked_name": ("error", "页面仍显示申报人姓名“{text}”，请遮盖后再上传（可用 zcmask mask 自动遮盖）。"),
    "unmasked_unit": ("error", "页面仍显示工作单位“{text}”，请遮盖后再上传（可用 zcmask mask 自动遮盖）。"),
    "unmasked_seal": ("error", "页面仍显示本单位公章，请遮盖后再上传（可用 zcmask mask 自动遮盖）。"),
    "unmasked_eyes": ("error", "照片中的眼睛未遮盖，请遮盖眼部后再上传（可用 zcmask mask 自动遮盖）。"),
    "unmasked_signature": ("error", "签名处可能仍显示申报人手写姓名，请遮盖签名后再上传。"),
    "seal_unreadable": ("warning", "发现一枚无法识别文字的印章，已按本单位公章遮盖；如为发证机关印章请人工核对。"),
    "unit_not_given": ("warning", "未提供工作单位：本页有公章按发证机关的保留未遮盖，无法确认其中没有本单位公章，"
                       "单位名称也无法识别遮盖。请补充工作单位的全称和简称后重新处理。"),
    "seal_unverified": ("warning", "页面上有一枚印章，无法确认是否为本单位公章，请人工核对；如是本单位公章，请遮盖后再上传。"),
    "unreadable_file": ("error", "文件无法打开或已损坏，请重新扫描或重新导出为 JPG 后上传。"),
    "encrypted_pdf": ("error", "PDF 已加密，请去除密码后再处理，或直接导出为 JPG。"),
    "empty_page": ("warning", "页面上几乎没有可识别的文字，请确认扫描的是正确的一面且内容完整。"),
    "mask_unverified": ("warning", "页面不清晰（{why}），文字未能可靠识别，无法确认姓名、单位等已全部遮盖。"
                        "请重新扫描清晰的原件后再处理，或人工逐处核对遮盖结果。"),
    "mirrored_page": ("error", "页面是左右镜像的（字是反的，常见于用手机前置摄像头拍摄），评审专家无法阅读。"
                      "请用 zcmask check 文件 --fix 输出目录 翻转回来（或在手机相册、画图中“水平翻转”），"
                      "再遮盖和上传；以后请用后置摄像头拍摄。"),
    "name_chars_unreadable": ("warning", "申报人姓名中的“{chars}”不在 OCR 字库中，无法识别。{how}"),
    "disk_full": ("error", "磁盘空间已满，该文件未能写完（已写出的部分页面已删除）。请清理磁盘后重新运行。"),
    "output_file": ("error", "输出文件无法写入，请检查输出目录的权限与磁盘空间后重新运行。"),
    "repaired_file": ("error", "PDF 文件已损坏或不完整（可能下载或复制中断），只能读出修复后的 {pages} 页，"
                      "内容可能缺失。请重新导出或重新下载完整的 PDF 后再处理。"),
    "renamed_output": ("info", "输入文件名含有申报人姓名或单位，输出已改名为 {name}，以免盲评时暴露身份。"),
    "multi_frame": ("info", "该图片含 {frames} 帧（页），已逐帧输出为 {frames} 张 JPG。"),
    "pdf_pages_as_images": ("info", "遮盖版 PDF 第 {pages} 页的文字无法在原位删除（会移动其余文字），"
                                    "这些页已改为与输出 JPG 一致的图片页，不能再选中文字。"),
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


#: How to turn each non-JPG format into JPG, appended to the ``not_jpg`` message.
CONVERT_HOWTO: dict[str, str] = {
    "PDF": "请用 zcmask check 文件.pdf --fix 输出目录 把每页导出为 JPG（每页一张，已自动转正），"
           "或在 WPS/Adobe Acrobat 中选“导出为图片（JPG）”，然后逐页上传。",
    "PNG": "请用 zcmask check 文件 --fix 输出目录 自动转换为 JPG，或用“画图”打开后“另存为 JPEG 图片”。",
    "TIFF": "请用 zcmask check 文件 --fix 输出目录 转换为 JPG（多页 TIFF 每页一张），或在扫描软件中直接选择 JPG 格式重新扫描。",
    "HEIC": "这是苹果手机的 HEIC 照片：请用 zcmask check 文件 --fix 输出目录 转换为 JPG（按手机上显示的方向转正），"
            "或在“照片”App 中选“导出”为 JPEG；以后可在 设置 > 相机 > 格式 中选“兼容性最佳”直接拍 JPG。",
    "JPEG_SUFFIX": "文件内容已是 JPG，只需把扩展名改为 .jpg 后上传。",
}
CONVERT_HOWTO["TIF"] = CONVERT_HOWTO["TIFF"]
CONVERT_HOWTO["HEIF"] = CONVERT_HOWTO["HEIC"]
for _fmt in ("BMP", "WEBP", "GIF"):
    CONVERT_HOWTO[_fmt] = CONVERT_HOWTO["PNG"]
CONVERT_HOWTO["GIF"] = ("请用 zcmask check 文件 --fix 输出目录 转换为 JPG（动图的每一帧各输出一张），"
                        "或用“画图”打开后“另存为 JPEG 图片”。")
CONVERT_HOWTO["WEBP"] = CONVERT_HOWTO["GIF"]


def not_jpg_issue(fmt: str, *, jpeg_content: bool = False) -> Issue:
    """A ``not_jpg`` issue whose message says how to convert ``fmt`` (``PNG``, ``pdf``, ``.heic`` ...)."""
    name = fmt.lstrip(".").upper() or "未知"
    howto = CONVERT_HOWTO["JPEG_SUFFIX"] if jpeg_content else CONVERT_HOWTO.get(
        name, "请用 WPS/Office 或扫描软件导出为 JPG（*.jpg）后再检查。")
    shown = f"{name}（扩展名 .{fmt.lstrip('.').lower()}）" if jpeg_content else name
    return Issue("not_jpg", "error", f"文件格式为 {shown}，平台只接受 JPG（*.jpg）。{howto}")


#: How a page turned by 90, 180 or 270 degrees clockwise lies, and how to turn it back, the
#: short way round (a page turned 270 degrees clockwise is turned 90 degrees back clockwise).
_TURNS: dict[int, tuple[str, str]] = {
    90: ("内容顺时针转了 90°，文字头朝右", "逆时针旋转 90°（向左转）"),
    180: ("内容上下颠倒", "旋转 180°"),
    270: ("内容逆时针转了 90°，文字头朝左", "顺时针旋转 90°（向右转）"),
}


def rotated_issue(rotation: int, exif_rotation: int = 0) -> Issue:
    """A ``rotated`` issue; says so when only the EXIF tag makes the picture look upright.

    ``rotation`` is how far the content is turned clockwise (90, 180 or 270); the message says
    which way the text lies and the short way to turn it back.

    >>> "文字头朝左），请顺时针旋转 90°" in rotated_issue(270).message
    True
    """
    lies, turn = _TURNS.get(rotation % 360, (f"内容顺时针转了 {rotation}°", f"逆时针旋转 {rotation}°"))
    if exif_rotation and exif_rotation % 360 == rotation % 360:
        return Issue("rotated", "error",
                     f"图片像素本身是歪的（{lies}），只是 EXIF 方向标记让它在手机/电脑上看起来是正的，"
                     "而申报平台会忽略该标记。请用 zcmask check --fix 输出目录 输出转正后的 JPG 再上传。")
    return issue("rotated", lies=lies, turn=turn)
