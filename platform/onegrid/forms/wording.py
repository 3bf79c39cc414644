"""The forms stage's messages: per-field submission errors and check problems."""

from __future__ import annotations

from onegrid import messages

SUBMISSION = {
    "form-required": {"zh": "此项必填", "en": "this field is required"},
    "form-unknown-field": {"zh": "表单中没有这一项", "en": "this form has no such field"},
    "form-not-object": {
        "zh": "提交的内容应为键值映射",
        "en": "the submission must be a mapping of field names to values",
    },
    "form-type-text": {"zh": "应为文字", "en": "must be text"},
    "form-type-integer": {"zh": "应为整数", "en": "must be a whole number"},
    "form-type-number": {"zh": "应为数字", "en": "must be a number"},
    "form-too-short": {
        "zh": "至少 {min} 个字（现有 {length} 个）",
        "en": "at least {min} characters (now {length})",
    },
    "form-too-long": {
        "zh": "最多 {max} 个字（现有 {length} 个）",
        "en": "at most {max} characters (now {length})",
    },
    "form-too-small": {"zh": "不能小于 {min}", "en": "must be at least {min}"},
    "form-too-large": {"zh": "不能大于 {max}", "en": "must be at most {max}"},
    "form-pattern": {"zh": "格式不对", "en": "not well formed"},
    "form-pattern-doc": {"zh": "格式不对（应为{doc}）", "en": "not well formed (expected {doc})"},
    "form-date": {"zh": "应为日期，如 2026-05-01", "en": "must be a date such as 2026-05-01"},
    "form-datetime": {
        "zh": "应为日期和时间，如 2026-05-01 08:30",
        "en": "must be a date and time such as 2026-05-01 08:30",
    },
    "form-choice": {"zh": "不是可选的选项", "en": "is not one of the choices"},
    "form-duplicate": {"zh": "有重复的项", "en": "has duplicate items"},
    "form-few-choices": {"zh": "至少选择 {min} 项", "en": "choose at least {min}"},
    "form-many-choices": {"zh": "最多选择 {max} 项", "en": "choose at most {max}"},
    "form-yesno": {"zh": "请选择“是”或“否”", "en": "must be yes or no"},
    "form-phone": {
        "zh": "应为手机号码或固定电话，如 13800138000 或 0472-1234567",
        "en": "must be a mobile or landline number, such as 13800138000 or 0472-1234567",
    },
    "form-phone-mobile": {
        "zh": "应为 11 位手机号码，如 13800138000",
        "en": "must be an 11-digit mobile number such as 13800138000",
    },
    "form-phone-landline": {
        "zh": "应为带区号的固定电话，如 0472-1234567",
        "en": "must be a landline number with its area code, such as 0472-1234567",
    },
    "form-address": {"zh": "请填写地址", "en": "must be an address"},
    "form-coords-required": {
        "zh": "请同时提供坐标（纬度和经度）",
        "en": "coordinates (latitude and longitude) are required",
    },
    "form-coords-none": {"zh": "此项不接受坐标", "en": "coordinates are not accepted here"},
    "form-coords-pair": {
        "zh": "纬度和经度须同时提供",
        "en": "give both latitude and longitude, or neither",
    },
    "form-coords-at": {
        "zh": "定位时间须与经纬度一同提供，且为带时区的时间（如 2026-12-02T13:05:00+08:00）",
        "en": "the location's time goes with latitude and longitude, as a time with its zone "
        "(such as 2026-12-02T13:05:00+08:00)",
    },
    "form-coords-number": {
        "zh": "纬度和经度应为数字",
        "en": "latitude and longitude must be numbers",
    },
    "form-lat-range": {
        "zh": "纬度应在 {min} 到 {max} 之间",
        "en": "latitude must be between {min} and {max}",
    },
    "form-lng-range": {
        "zh": "经度应在 {min} 到 {max} 之间",
        "en": "longitude must be between {min} and {max}",
    },
    "form-org-unit": {"zh": "不是这里可选的单位", "en": "is not a unit you can pick here"},
    "form-photo": {"zh": "照片无效，请重新上传", "en": "invalid photo; upload it again"},
    "form-few-photos": {"zh": "至少上传 {min} 张照片", "en": "upload at least {min} photos"},
    "form-many-photos": {"zh": "最多上传 {max} 张照片", "en": "upload at most {max} photos"},
    "form-photo-type": {
        "zh": "只接受 JPEG、PNG 或 WebP 照片",
        "en": "only JPEG, PNG or WebP photos are accepted",
    },
    "form-photo-size": {"zh": "照片超过 {max}", "en": "the photo is larger than {max}"},
    "form-photo-empty": {"zh": "照片是空文件", "en": "the photo is an empty file"},
}

CHECKS = {
    "form-unknown": {"zh": "未知的表单 '{id}'", "en": "unknown form '{id}'"},
    "form-unsafe-pattern": {
        "zh": "正则表达式 {pattern} 无法用 RE2 执行（{reason}）：不支持反向引用和环视，请改写",
        "en": "the pattern {pattern} cannot run under RE2 ({reason}): backreferences and lookaround are not supported; rewrite it",
    },
    "form-field-no-name": {
        "zh": "字段缺少 'name'（或用 'use' 引用字段库）",
        "en": "the field has no 'name' (nor a library field to 'use')",
    },
    "form-field-bad-name": {
        "zh": "字段名 '{name}' 不合格：请用小写字母开头，只含小写字母、数字和下划线（可写 name 指定）",
        "en": "the field name '{name}' is not valid: start with a lower-case letter and use only lower-case letters, digits and '_' (set it with name)",
    },
    "form-field-no-type": {"zh": "字段 '{name}' 缺少 'type'", "en": "field '{name}' has no 'type'"},
    "form-field-no-label": {
        "zh": "字段 '{name}' 缺少 'label'",
        "en": "field '{name}' has no 'label'",
    },
    "form-duplicate-field": {
        "zh": "字段 '{name}' 在表单中重复：第 {first_line} 行已有",
        "en": "field '{name}' appears twice in the form: first on line {first_line}",
    },
    "form-key-not-for-type": {
        "zh": "'{key}' 不适用于 {type} 类型的字段（可用：{allowed}）",
        "en": "'{key}' does not apply to a field of type {type} (it takes: {allowed})",
    },
    "form-no-choices": {
        "zh": "字段 '{name}' 需要 'choices'",
        "en": "field '{name}' needs 'choices'",
    },
    "form-duplicate-choice": {
        "zh": "选项值 '{choice}' 重复",
        "en": "the choice value '{choice}' appears twice",
    },
    "form-bad-range": {
        "zh": "下限 {low} 大于上限 {high}",
        "en": "the lower bound {low} is above the upper bound {high}",
    },
    "form-condition-field": {
        "zh": "条件引用了表单中没有的字段 '{field}'",
        "en": "the condition tests '{field}', which is not a field of this form",
    },
    "form-condition-self": {
        "zh": "字段 '{field}' 的条件不能引用自己",
        "en": "field '{field}' cannot depend on itself",
    },
    "form-condition-value": {
        "zh": "条件的值 {value} 不可能是字段 '{field}' 的取值",
        "en": "the condition's value {value} can never be a value of field '{field}'",
    },
    "form-bad-example": {
        "zh": "示例值 {value} 不合格：{reason}",
        "en": "the example {value} is not valid: {reason}",
    },
    "form-condition-removed": {
        "zh": "删除了字段 '{field}'，但字段 '{by}' 的条件还引用它（{where}）：一并删除 '{by}'，或改写它的条件",
        "en": "the field '{field}' is removed, but the condition of '{by}' still tests it ({where}): remove '{by}' too, or rewrite its condition",
    },
    "form-use-cycle": {
        "zh": "表单 '{form}' 通过 use: 引用了自己（{chain}）",
        "en": "the form '{form}' uses itself through use: ({chain})",
    },
    "form-use-nothing-to-remove": {
        "zh": "被引用的表单 '{base}' 没有字段 '{name}'，无需删除",
        "en": "the used form '{base}' has no field '{name}', so there is nothing to remove",
    },
    "form-no-name": {
        "zh": "表单 '{form}' 没有 name（写出名称，或用 use: 引用另一个表单）",
        "en": "the form '{form}' has no name (write one, or use: another form)",
    },
    "form-library-use": {
        "zh": "字段库中的字段不能再 'use' 其他字段",
        "en": "a library field cannot 'use' another field",
    },
    "form-no-units": {
        "zh": "字段 '{name}' 没有可选的组织单元（检查 levels 和 within）",
        "en": "field '{name}' has no org unit to pick (check levels and within)",
    },
}

messages.register(SUBMISSION)
messages.register(CHECKS)
