# 问责核查的发现：每条发现的说明、证据所指的事实、劝返步骤的名称、校历的变更。
# 每一条都在 ../en/review.ftl 里有英文对应，参数相同。

## 劝返步骤（责任清单上的事项）

step-contact-parents = 联系家长
step-home-visit = 家访
step-report = 向{ $recipient }报告

## 案件中参与步骤的角色

case-role-head-teacher = 班主任
case-role-responsible-leader = 学校分管负责人
case-role-principal = 校长
case-role-township-officer = 乡镇干部
case-role-bureau-officer = 教育局干部
case-role-inspector = 督学
case-role-village-cadre = 村干部
case-role-other = 其他人员

## 发现的说明

finding-report-late = 第{ $day }天：向{ $recipient }报告迟了{ $late }天（应于{ $due }前完成）
finding-report-after-return = 第{ $day }天：孩子返校后才向{ $recipient }报告，迟了{ $late }天（应于{ $due }前完成）
finding-duplicate-case = 同一儿童在{ $school }的个案{ $other }同时处于立案状态
finding-report-missing = 第{ $day }天：未向{ $recipient }报告（应于{ $due }前完成）
finding-step-late = 第{ $day }天：{ $step }迟了{ $late }天（应于{ $due }前完成）
finding-step-incomplete = 第{ $day }天：{ $step }缺少{ $missing }参加（应于{ $due }前完成）
finding-step-missed = 第{ $day }天：未{ $step }（应于{ $due }前完成）
finding-late-entry = { $on }的{ $fact }于{ $recorded }才录入，晚了{ $delay }天
finding-transfer-without-documents = 转往{ $destination }，无任何转学证明
finding-transfer-unconfirmed = 转往{ $destination }后{ $days }天内未获确认：疑似辍学
finding-suspension-without-document = 休学无审批文件
finding-suspension-overdue = 应于{ $expected }复学，未记录复学
finding-no-follow-up = { $on }已向{ $recipient }报告；{ $days }天内无跟进，学生仍未返校
finding-unresolved-registry = { $on }的学籍户籍比对问题（{ $issue }）：{ $days }天内未作处理{ $still_open ->
        [yes] ，至今未解决
       *[no] {""}
    }
finding-missing-attestation = { $day }未报送点名
finding-roll-call-without-case = { $name }（学籍号{ $number }）在{ $day }{ $class }班点名中无故缺勤，但未立案
finding-roll-call-without-absence = { $day }{ $class }班点名记其无故缺勤，但案件中无当天的缺勤记录
finding-calendar-moved-deadlines = { $declared }{ $by }{ $what }（{ $day }），改动了期限：改前［{ $before }］，改后［{ $after }］
finding-calendar-change = { $declared }{ $by }{ $what }（{ $day }，该日已过），改动了{ $cases }个案件的期限
finding-deadline = 第{ $day }天{ $step }应于{ $due }前完成
finding-declared-by = 由{ $user }
finding-declared-by-unknown = 由未载明的人

## 校历的变更

calendar-holiday-declared = 宣布“{ $name }”为假日
calendar-make-up-day-declared = 宣布“{ $name }”为调课上课日
calendar-day-cleared = 撤销假日或调课上课日

## 证据：以日期和种类指明事实

evidence-fact = { $on } { $fact }
fact-case-opened = 立案
fact-focus-groups-changed = 调整重点群体
fact-absence-recorded = 缺勤
fact-leave-granted = 请假
fact-parent-contacted = 联系家长
fact-home-visit-conducted = 家访
fact-report-submitted = 上报
fact-report-acknowledged = 签收报告
fact-supervision-noted = 督办意见
fact-returned-to-school = 返校
fact-transferred-out = 转出
fact-transfer-confirmed = 转学确认
fact-suspended = 休学
fact-resumed = 复学
fact-support-given = 帮扶
fact-home-teaching-held = 送教上门
fact-case-closed = 结案
fact-case-reopened = 重新立案
fact-fact-corrected = 更正记录
fact-registry-finding-recorded = 学籍户籍比对问题
fact-registry-finding-resolved = 比对问题已解决
fact-registry-finding-cleared = 比对问题已清除
fact-roll-call = 点名
fact-calendar-change = 校历变更

## issue 16 leftovers (task C): what each kind of finding is called (the findings file, the API)

finding-kind-unreported-dropout = 未报告辍学
finding-kind-late-report = 迟报
finding-kind-late-step = 步骤逾期完成
finding-kind-incomplete-step = 步骤人员不全
finding-kind-missed-step = 步骤未执行
finding-kind-late-entry = 事后补录
finding-kind-transfer-without-documents = 转学无手续
finding-kind-transfer-unconfirmed = 转学未经接收学校确认
finding-kind-suspension-without-document = 休学无审批文件
finding-kind-suspension-overdue = 休学逾期未复学
finding-kind-no-follow-up = 报告后未跟进
finding-kind-unresolved-registry-finding = 学籍户籍比对问题未跟进
finding-kind-retroactive-calendar-change = 事后修改校历
finding-kind-missing-attestation = 未报送日报
finding-kind-roll-call-mismatch = 点名与案件不符
finding-kind-duplicate-case = 重复立案
