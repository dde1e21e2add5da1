# 给人看的拒绝理由和错误：接口的回答与规则的拒绝。
# 每一条都在 ../en/errors.ftl 里有英文对应，参数相同。

## 接口的回答

field-message = { $field }：{ $text }
unauthenticated = 请先登录，或提供有效的访问令牌
token-expired = 访问令牌已于 { $expired_at } 过期，请向管理员申请新的令牌
too-many-failures = 此地址登录失败次数过多，请在 { $retry_after } 秒后再试
forbidden = { $role_label }无权{ $action }
not-found = 未找到（或无权查看）
method-not-allowed = 此地址不支持该请求方法，Allow 头列出了可用的方法
conflict-concurrent-write = 同一记录正被他人同时修改，本次未写入任何内容，请重试
conflict-key-reused = 该 Idempotency-Key 已用于另一个不同的请求
too-large = 请求内容过大
unavailable = 数据库暂时不可用，请稍后重试
timed-out = 请求超过 { $seconds } 秒未完成，已被终止；请重试（带同一 Idempotency-Key 重试的写入不会重复）
internal = 服务器内部错误，详情已记入服务器日志

## 无法读取的请求

body-not-utf8 = 请求内容不是 UTF-8 编码：第一个无效字节位于第 { $line } 行第 { $column } 列
body-unreadable = 无法读取请求内容：{ $detail }
trailing-characters = JSON 值之后还有多余的字符：{ $detail }
nul-character = 不接受空字符（U+0000）
nul-character-on-line = 不接受空字符（U+0000）（第 { $line } 行）
not-utf8-decoded = 百分号解码后不是 UTF-8
missing-field = 缺少字段 `{ $name }`
unknown-field = 未知字段 `{ $name }`
duplicate-field = 字段 `{ $name }` 出现了两次
invalid-value = 取值无效（{ $detail }）
page-too-low = 页码应从 1 开始
per-page-range = 每页条数应为 1 到 200
idempotency-key-format = 应为 1 到 200 个可见的 ASCII 字符
registry-state-choice = 应为 open、resolved、cleared 或 all

## 导入：名单文件、表头、各行

file-not-text = 不是 UTF-8 或 GBK/GB18030 文本（第 { $line } 行）；请将名单另存为 UTF-8 或 GBK 编码的 CSV，或 XLSX
file-mixed-encodings = 第 { $line } 行之前是 UTF-8 文本，该行却不是：文件混用了两种编码；请重新另存为 CSV（UTF-8 或 GBK）或 XLSX
file-utf16 = 是 UTF-16 文本；请将名单另存为 UTF-8 或 GBK 编码的 CSV，或 XLSX
file-nul = 含有 NUL 字符（第 { $line } 行）；请将名单另存为 UTF-8 或 GBK 编码的 CSV，或 XLSX
file-not-workbook = 无法作为工作簿读取；请重新另存为 XLSX 或 CSV
file-no-sheet = 是没有工作表的工作簿
list-header-unreadable = 无法读取表头：{ $reason }
list-unknown-column = { $column } 不是本名单的列；本名单的列为 { $expected }
list-column-twice = 列 { $column } 出现了两次
list-missing-column = 表头缺少列 { $column }
list-empty = 名单没有数据行
roll-call-shape-unknown = 表头既不是按班按日的点名（{ $class_day }），也不是按缺勤学生的点名（{ $absent_child }）
row-unreadable = 无法读取该行：{ $reason }
row-bad-date = { $value } 不是 YYYY-MM-DD 格式的日期
row-bad-count = { $value } 不是整数
row-bad-choice = { $value } 不是以下之一：{ $choices }
row-bad-absent-entry = { $value } 不是“学籍号:姓名”（请假的学生加“:请假”）
row-class-day-differs = 与第 { $line } 行（同一班级同一天）不一致
row-child-differs = 与第 { $line } 行（同一学生）不一致
row-no-child = 未写明学生，前面也没有该学生的行
row-roll-call-recorded-otherwise = 该班 { $date } 已有一份不同的点名记录
row-bad-id-number = 不是有效的 18 位居民身份证号码
row-step-after-ledger = { $date } 晚于台账日期 { $ledger_date }
row-roles-dont-pair = 为 { $people } 人写了 { $roles } 个身份
row-not-your-school = { $school } 不是您可以导入的学校
row-case-refuses = 该生的档案不接受：{ $reason }
ledger-imported-reason = 导入自{ $date }的台账
ledger-note-by = 经办人：{ $by }
ledger-note-with-by = { $note }（经办人：{ $by }）
ledger-date-choice = 台账日期须为不晚于今天的 YYYY-MM-DD 日期
encoding-choice = 应为 auto、utf-8、gbk 或 gb18030
file-not-base64 = 不是 base64 编码的文件：请以 CSV 文本或含 "base64"（及 "encoding"）的对象给出名单
import-refused = { $count } 行被拒绝，未写入任何内容
lifetime-days-range = 应为 1 到 { $max } 天
no-such-school = 没有学校 { $school }
clock-not-training = 本服务器使用系统时钟；只有培训服务器（notoneless serve --clock）的时钟可以调整
clock-backwards = { $to } 早于当前时钟 { $now }；培训时钟只能向前调整
review-until-before-from = 截止日 { $until } 早于起始日 { $from }
review-too-long = 一次核查最多覆盖自起始日起 { $max } 天
threshold-range = 应为 0 到 { $max } 天，而不是 { $value }

## 会话、密码与账号

csrf-required = 使用登录会话的修改请求必须带上该会话的 CSRF 令牌（X-CSRF-Token 请求头，或表单的 csrf_token 字段）
session-unknown = 登录已失效，请重新登录
session-idle = 已 { $minutes } 分钟未操作，登录已失效，请重新登录
session-lifetime = 登录已满 { $days } 天，已失效，请重新登录
session-ended = 登录已结束（已退出、被管理员结束，或密码已更改），请重新登录
session-user-inactive = 该用户已停用
wrong-credentials = 用户名或密码不正确
wrong-current-password = 不是您当前的密码
account-locked = 密码错误次数过多，账号已锁定至 { $until }；管理员或校长可以为您重置密码
one-time-password-to-change = 这是一次性密码：请设置您自己的密码（new_password）后登录
password-too-short = 至少 { $min } 个字符
password-too-long = 最多 { $max } 个字符
password-edge-space = 开头和结尾不能是空格
password-common = 属于最常见的密码，容易被猜中，请换一个
password-run = 是同一字符重复或连续字符（如 12345678、abcdefgh），请换一个
password-holds-user-name = 不能包含您的用户名
password-same-as-before = 不能与一次性密码相同

## 案件规则

case-not-opened = 尚未立案
case-already-opened = 该案件已经立案
blank = 不能为空
too-long = 最多 { $max } 个字
bad-format = 格式应为：{ $expected }
empty-list = 至少要填写一项
given-twice = { $value } 重复填写了
not-there-to-remove = 没有 { $value }，无法移除
day-after-today = { $date } 晚于今天（{ $today }）
day-before-case-opened = { $date } 早于立案日 { $opened_on }
end-before-start = { $end } 早于 { $start }
day-before-status-change = { $date } 早于案件最近一次状态变化（{ $since }）
day-before-event = { $date } 早于第 { $sequence } 条记录的日期 { $event_on }
wrong-status = 案件当前为“{ $status }”，不能{ $action }
not-enrolled-on = 该生 { $date } 处于“{ $status }”状态，当天不应到校
duplicate-absence = { $on } 的缺勤已有记录（第 { $sequence } 条）
covered-by-leave = { $on } 在第 { $sequence } 条记录批准的请假期内
present-that-day = 记录显示该生 { $on } 在校（第 { $sequence } 条）
absent-that-day = { $on } 已记录缺勤（第 { $sequence } 条）
overlaps-leave = 与第 { $sequence } 条记录批准的请假时间重叠
not-absent = 该生目前未缺课：{ $on } 之前没有尚未结束的无故缺勤
still-absent = 该生自 { $since } 起缺课，尚无返校记录：请先记录返校
no-such-report = 没有向{ $recipient }报送的、编号为 { $reference } 的报告
already-acknowledged = 报告 { $reference } 已经签收（第 { $sequence } 条）
no-such-event = 本案件没有第 { $sequence } 条记录
already-retracted = 第 { $sequence } 条记录已被撤销
cannot-retract = 第 { $sequence } 条记录不能撤销：{ $reason }
not-in-focus-group = 该生不在重点群体“{ $group }”中
finding-still-open = “{ $kind }”类比对问题尚未解决（第 { $sequence } 条）
no-open-finding = 没有未解决的“{ $kind }”类比对问题

## 取值要求

format-student-number = 1 到 32 位字母或数字
format-phone = 5 到 20 位数字的电话号码
format-token-hash = 64 位十六进制数字
rule-leave-too-long = 一年及以上的请假应办理休学，而不是请假
rule-session-minutes = 每次送教 1 到 480 分钟
rule-grade8-derived = “八年级及以上”由年级自动得出，无需申报
rule-age-range = 义务教育阶段儿童的年龄在 3 到 20 岁之间
rule-grade-range = 义务教育为一至九年级
rule-reason-needs-reached = 只有联系上的监护人才能说明原因
rule-support-above-zero = 减免、缓交或补助的金额必须大于零
rule-support-at-most = 单次资助最多 10,000,000 分（10 万元）
rule-roll-call-present-over-enrolled = 实到人数多于应到人数
rule-roll-call-absent-count = 须列出每一名缺勤学生：应到人数减实到人数
rule-opening-stands = 立案记录不能撤销；如有错误请用备注更正
rule-correction-stands = 更正记录不能撤销；请再记录一条更正
rule-short-text = 最多 200 个字
rule-one-county = 已经有一个县了
rule-county-no-parent = 县没有上级节点
rule-node-parent = 乡镇隶属于县，学校隶属于乡镇

## 组织机构

org-exists = { $value } 已存在
org-unknown = 没有 { $value }
org-role-wrong-node = { $role }应属于{ $kind }一级
org-batch-nested = 批量操作须整体处理，不能嵌套
org-no-one-time-password = 新用户需要一次性密码
format-password-hash = argon2id 哈希值
format-user-name = { $value } 不是有效的用户名：应为 1 到 64 个英文字母、数字、“.”、“-”或“_”

## 校历与升级阶梯

term-name-blank = 学期名称不能为空
term-ends-before-start = 结束日 { $last_day } 早于开始日 { $first_day }
terms-overlap = 与第 { $other } 个学期重叠
holiday-and-make-up-day = { $date } 同时被定为假日
make-up-day-not-weekend = { $date } 不是星期六或星期日
make-up-day-outside-terms = { $date } 不在任何学期内
bad-utc-offset = { $minutes } 不在 -720 到 840 之间
ladder-empty = 至少要有一个步骤
ladder-day-zero = 天数应从 1 开始
ladder-not-increasing = 应晚于上一个步骤
ladder-no-roles = 至少要有一个角色

no-such-scope-node = { $node } 不是本县的{ $kind }
scope-either-townships-or-schools = 只能指定名单覆盖的乡镇或学校之一，不能同时指定

## 已记录事实的提醒

absence-not-on-school-day = { $day } 在现行校历中不是上课日（周末、节假日或学期外）：缺勤已记录，但不计入“123”逐级上报

## 一个儿童只有一份案卷（议题 15 第 4 点）

child-has-case = 该儿童已有一份未结案的案卷 { $case }：一个儿童只能有一份案卷，请在该案卷上继续记录；本次未写入任何内容
child-has-case-elsewhere = 该儿童已在另一所学校（{ $school }）有一份未结案的案卷，您无权查看；请与该校或{ $office }联系；本次未写入任何内容
reopen-child-has-case = 不能重新开启本案卷：该儿童的另一份案卷 { $case } 尚未结案；本次未写入任何内容
row-already-has-case = 第{ $row }行：该儿童已有案卷 { $case }，未另立案卷
## issue 16 leftovers (task C): why an import refuses a row

row-field-count = 该行有{ $count }个字段，应为{ $expected }个
list-header-must-be = 表头必须是 { $header }
list-header-must-be-either = 表头必须是 { $header } 或 { $other }
row-listed-twice = { $value } 重复出现（首次在第{ $line }行）
row-listed-twice-in-list = { $value } 重复出现（首次在第{ $list }个名单第{ $line }行）
row-needs-number-and-school = 应有学籍号和学校
row-not-a-county-school = { $value } 不是本县的学校
row-disagrees-with-id-number = 与身份证号不符
row-not-school-age = 该儿童在{ $on }为{ $age }岁，不在义务教育年龄（{ $youngest }至{ $oldest }岁）
row-bad-grade = { $value } 不是1至9年级
row-user-deactivated = { $value } 已停用；导入不会恢复停用的用户
## issue 16 point 3 (task G): a refused cell cut short
cell-cut = { $start }…（共{ $count }个字符）
