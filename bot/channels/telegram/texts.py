"""Every Chinese string the Telegram bot shows that the answer engine does not write.

Simplified Chinese, concise, polite (您). Punctuation follows the engine's replies (ASCII comma and colon,
full-width 。、“”) so that a conversation reads as one voice. Where the console shows the same thing, the
wording is the console's (``问:`` before a question, ``来源:`` before a citation).

Placeholders are filled with :meth:`str.format`; the caller escapes the values for HTML.
"""

from __future__ import annotations

from typing import Final

# --- commands: (command, description) for the menu that set_my_commands shows --------------------

PRIVATE_COMMANDS: Final = (
    ("start", "开始使用"),
    ("help", "使用说明"),
    ("regions", "按区县查看扶贫办电话、乡镇联系人和攻坚村"),
    ("activities", "按组织类型查看推荐的帮扶活动"),
    ("plan", "一步步生成适合您组织的帮扶方案"),
    ("report", "参与后需要报送什么、何时报送"),
    ("about", "信息来源和发布时间"),
    ("reset", "重新开始,不再参考之前聊的内容"),
    ("cancel", "退出正在进行的方案生成"),
)
GROUP_COMMANDS: Final = (
    ("help", "使用说明"),
    ("regions", "按区县查看扶贫办电话、乡镇联系人和攻坚村"),
    ("activities", "按组织类型查看推荐的帮扶活动"),
    ("plan", "生成帮扶方案"),
    ("report", "参与后需要报送什么、何时报送"),
    ("about", "信息来源和发布时间"),
    ("reset", "重新开始,不再参考之前聊的内容"),
    ("settings", "群组回答方式(仅管理员)"),
)

# --- /start and /help ----------------------------------------------------------------------------

GREETING: Final = "您好!"
COMMANDS_TITLE: Final = "常用命令"
COMMAND_LINES: Final = (
    "/regions 按区县查看扶贫办电话、深度贫困乡镇联系人和定点攻坚村",
    "/activities 按组织类型查看推荐的帮扶活动",
    "/plan 一步步生成适合您组织的帮扶方案",
    "/report 参与后需要报送什么、何时报送",
    "/about 信息来源",
    "/reset 重新开始,不再参考之前聊的内容",
)
ASK_DIRECTLY: Final = "也可以直接输入问题,或点击下面的示例问题。"
GROUP_HOW_TO_ASK: Final = "在群里提问时,请 @{username} 加上您的问题,或直接回复我的消息。"
UNKNOWN_COMMAND: Final = "抱歉,没有这个命令。发送 /help 查看可用的命令。"
RESET_DONE: Final = "好的,已重新开始。接下来的问题不再参考之前聊的内容。"

# --- answers -------------------------------------------------------------------------------------

SOURCE: Final = "来源:{source}"
QUESTION: Final = "问:{question}"
DECLINE_HINT: Final = "发送 /help 查看我能回答哪些问题。"
HELP_BUTTON: Final = "使用说明"
NON_TEXT_HINT: Final = (
    "抱歉,我只能读懂文字消息。请直接输入您的问题,例如“万州区扶贫办电话”,或发送 /help 查看使用说明。"
)
ERROR_APOLOGY: Final = "抱歉,处理您的消息时出了点问题,请稍后再试。"
BUTTON_EXPIRED: Final = "这个按钮已失效,请直接输入您的问题。"

# --- /regions and /activities --------------------------------------------------------------------

BACK: Final = "« 返回"
REGIONS_PROMPT: Final = "《工作指引》附件列出了以下重点地区,请选择:"
TIER_BUTTON: Final = "{tier}重点区县({count}个)"
TOWNSHIPS_BUTTON: Final = "深度贫困乡镇联系人({count}个)"
TIER_PROMPT: Final = "{tier}扶贫开发工作重点区县({count}个),请选择区县:"
ACTIVITIES_PROMPT: Final = "《工作指引》第六至十条按组织类型给出了建议。请选择您的组织类型:"

# --- /plan ---------------------------------------------------------------------------------------

PLAN_STEP_ORG: Final = "生成帮扶方案(第1步,共3步):请选择您的组织类型。\n随时发送 /cancel 退出。"
PLAN_STEP_DISTRICT: Final = "组织类型:{org}\n第2步,共3步:请选择您想去帮扶的区县。"
PLAN_STEP_THEME: Final = (
    "组织类型:{org}\n区县:{district}\n第3步,共3步(可选):请选择您关注的帮扶主题,或点击“跳过”。"
)
PLAN_SKIP: Final = "跳过"
PLAN_NO_THEME: Final = "未选择"
PLAN_SUMMARY: Final = "组织类型:{org}\n区县:{district}\n主题:{theme}\n帮扶方案如下。"
PLAN_HINT: Final = "正在生成帮扶方案:请点击上面消息里的按钮选择,或发送 /cancel 退出。"
PLAN_CANCELLED: Final = "已退出方案生成。需要时可再次发送 /plan。"
NOTHING_TO_CANCEL: Final = "当前没有进行中的操作。"

# --- groups --------------------------------------------------------------------------------------

GROUP_INTRODUCTION: Final = (
    "大家好!我是帮扶助手,根据《{title}》回答社会组织参与脱贫攻坚的问题:"
    "各区县扶贫办电话、深度贫困乡镇联系人、定点攻坚村、推荐的帮扶活动和报送要求。\n"
    "提问时请 @{username} 加上问题,例如“@{username} 万州区扶贫办电话”,或直接回复我的消息;"
    "也可以使用 /help@{username} 等命令。\n"
    "群管理员可以用 /settings 调整回答方式。"
)
SETTINGS_ONLY_IN_GROUPS: Final = "/settings 用于群组:请群管理员在群里发送。"
SETTINGS_NOT_ADMIN: Final = "抱歉,只有本群管理员可以修改设置。"
SETTINGS_CHECK_FAILED: Final = "抱歉,暂时无法确认您的管理员身份,请稍后再试。"
SETTINGS_PROMPT: Final = "本群的回答方式:{mode}\n{description}\n\n请选择:"
SETTINGS_SAVED: Final = "已保存。"
SETTINGS_PRIVACY_NOTE: Final = (
    "提示:机器人默认开启隐私模式,在群里只能看到命令、@提及和对它的回复;"
    "要让“自动回答”生效,请在 @BotFather 用 /setprivacy 关闭隐私模式,或把我设为管理员。"
)
MODE_NAMES: Final = {"addressed": "仅在被提及时回答", "auto": "自动回答"}
MODE_DESCRIPTIONS: Final = {
    "addressed": "只回答命令、@我的消息和对我的回复(默认)。",
    "auto": "除被提及外,也自动回答明显是在问《工作指引》内容的消息。",
}
MODE_SELECTED: Final = "✓ {name}"

# --- feedback under answers ----------------------------------------------------------------------

FEEDBACK_UP: Final = "👍 有帮助"
FEEDBACK_DOWN: Final = "👎 没帮助"
FEEDBACK_WRONG_NUMBER: Final = "号码有误"
FEEDBACK_UNREACHABLE: Final = "打不通"
FEEDBACK_THANKS: Final = "感谢您的反馈!"
FEEDBACK_ALREADY: Final = "已收到您对这条回答的反馈,谢谢!"

# --- maintainers only (BANGFU_ADMIN_IDS): /reload and /stats ---------------------------------------

RELOAD_DONE: Final = "已重新加载知识库:{intents}类问题(其中常见问题{faq}条),更新的联系方式{updates}条。"
RELOAD_FAILED: Final = (
    "知识库文件有{count}处问题,没有重新加载,机器人仍在使用原来的知识库。请修正后再发送 /reload:"
)
RELOAD_MORE: Final = "……另有{count}处问题,请在服务器上运行 bangfu validate 查看全部。"
RELOAD_BUSY: Final = "正在重新加载,请稍候。"
STATS_TITLE: Final = "最近{days}天的提问统计"
STATS_DAY: Final = "{day}:{count}条"
STATS_TOTAL: Final = "合计{total}条,未能回答{declined}条(占{rate})。"
STATS_TOP_INTENTS: Final = "最常见的问题类型:{intents}"
STATS_FEEDBACK: Final = "反馈:👍 {up},👎 {down},号码有误 {wrong},打不通 {dead}"
STATS_NONE: Final = "最近{days}天没有记录到提问。"
STATS_LOG_OFF: Final = "提问记录已关闭(BANGFU_QUESTION_LOG=off),没有统计数据。"
