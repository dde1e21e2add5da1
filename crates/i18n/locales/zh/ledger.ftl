# 台账和问责核查发现这两份文件的文字：表头、标题、状态、措施。
# 每一条都在 ../en/ledger.ftl 里有英文对应。

format-id-number = 18 位身份证号（前 17 位数字，末位为校验码）

## 劝返措施（工作计划“指导思想”的原话）

measure-legal-education = 以法治辍
measure-persuasion-with-care = 以情劝学
measure-financial-aid = 以资助学
measure-changing-views = 转变教育观念
measure-adjusted-teaching = 改革教学方法
measure-better-teacher-relations = 改善师生关系

## 标题、工作表名、文件名、页脚（页脚中的 &P、&N 是 Excel 的页码和总页数）

ledger-sheet = 台账
ledger-title = {$county}控辍保学工作台账（{$scope}，截至{$day}）
ledger-scope-county = 全县
ledger-file-name = {$county}-台账-{$scope}-{$day}
review-sheet = 问责发现
review-title = {$county}控辍保学问责核查发现（{$scope}，{$from}至{$until}）
review-file-name = {$county}-问责核查-{$scope}-{$from}至{$until}
page-footer = 第 &P 页，共 &N 页

## 表头

col-number = 序号
col-name = 姓名
col-sex = 性别
col-id-number = 身份证号
col-student-number = 学籍号
col-township = 乡镇
col-school = 学校
col-grade = 年级
col-class = 班级
col-guardian = 监护人
col-guardian-phone = 联系电话
col-focus-groups = 重点群体
col-reason = 缺课或辍学原因
col-steps = 劝返、帮扶措施（日期、人员）
col-person-responsible = 责任人
col-back-at-school = 返校日期
col-status = 当前状态
col-outstanding = 未完成事项
col-last-recorded = 最后记录时间
col-case-id = 案件编号
col-finding = 类型
col-day = 日期
col-detail = 说明
col-evidence = 证据
col-responsible-roles = 责任角色
col-responsible-staff = 责任人

## 性别、状态

sex-male = 男
sex-female = 女
ledger-status-absent = 缺课中（连续{$days}天）
ledger-status-at-school = 在校
ledger-status-suspended = 休学（预计{$day}返校）
ledger-status-transfer-pending = 转出待确认（转往{$school}）
ledger-status-transferred-out = 已转出（转往{$school}）

## 每一项措施一行：日期、做了什么、谁做的

ledger-step-parent-contact = {$day} 联系家长{$by}：{$channel}联系{$guardian}，{$reached ->
    [yes] 已联系上
   *[no] 未联系上
}
ledger-step-home-visit = {$day} 家访劝返{$by}：{$count ->
    [0] {$outcome}
   *[other] {$measures}；{$outcome}
}
ledger-step-report = {$day} 报告{$recipient}{$by}，文号 {$reference}
ledger-step-supervision = {$day} 跟踪督办{$by}：{$note}
ledger-step-support = {$day} 帮扶（{$kind}）{$by}：{$amount} 元
ledger-step-home-teaching = {$day} 送教上门{$by}：{$minutes} 分钟
ledger-step-by = （{$people}）
outcome-agreed-to-return = 同意返校
outcome-refused = 拒绝返校
outcome-nobody-home = 家中无人
outcome-other = 其他
channel-phone = 电话
channel-message = 短信或微信
channel-in-person = 当面
channel-other = 其他方式
support-reduction = 减
support-waiver = 免
support-deferral = 缓
support-subsidy = 助

## 权限

may-read-full-id-number = 查看学生完整的身份证号
