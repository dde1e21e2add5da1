# 事物的名称：用户角色、案件状态、案件记录的事实、权限所允许的事。
# 每一条都在 ../en/labels.ftl 里有英文对应。

## 用户角色

user-role-head-teacher = 班主任
user-role-school-leader = 学校分管负责人
user-role-principal = 校长
user-role-township-officer = 乡镇干部
user-role-bureau-officer = 教育局干部
user-role-inspector = 督学
user-role-admin = 管理员

## 管辖层级

node-kind-county = 县
node-kind-township = 乡镇
node-kind-school = 学校

## 案件状态

status-not-opened = 未立案
status-enrolled = 在籍
status-suspended = 休学
status-transfer-pending = 转出待确认
status-transferred-out = 已转出
status-closed = 已结案

## 记录一项事实（用于“不能……”“无权……”）

action-open-case = 立案
action-change-focus-groups = 调整重点群体
action-record-absence = 记录缺勤
action-grant-leave = 批准请假
action-record-parent-contact = 记录联系家长
action-record-home-visit = 记录家访
action-report-upward = 向上级报告
action-acknowledge-report = 签收报告
action-add-supervision-note = 填写督办意见
action-record-return = 记录返校
action-transfer-out = 办理转出
action-confirm-transfer = 确认转学
action-suspend = 办理休学
action-resume = 办理复学
action-give-support = 记录帮扶
action-record-home-teaching = 记录送教上门
action-close-case = 结案
action-reopen-case = 重新立案
action-correct-fact = 更正记录
action-record-registry-finding = 记录学籍户籍比对问题
action-resolve-registry-finding = 解决学籍户籍比对问题
action-clear-registry-finding = 清除学籍户籍比对问题

## 权限所允许的事（用于“无权……”）

may-manage-organisation = 管理组织机构、用户和令牌
may-change-calendar = 修改校历
may-read-org-history = 查看组织机构的变更记录
may-run-review = 开展问责核查
may-import-grade6 = 导入六年级升学跟踪名单
may-import-registry = 导入学籍户籍比对
may-download-ledger = 下载台账
may-read-child-file = 查看学生档案
may-search-children = 按姓名或学籍号查找学生
may-list-reads = 查看谁读过学生档案
may-read-log-checkpoints = 查看日志的签名密钥和签名检查点
may-move-clock = 调整培训时钟
may-submit-roll-call = 报送点名
may-open-case-at-school = 在管辖范围以外的学校立案
may-acknowledge-others-report = 签收报送给其他单位的报告
may-revoke-others-token = 吊销他人的令牌
may-manage-credentials = 为本校班主任和分管负责人以外的人重置密码或结束登录
may-log-out-with-token = 用访问令牌退出登录（程序应吊销其令牌）
may-import-ledger = 导入台账

## 重点群体、报告对象、比对问题

focus-group-poverty-alleviation-household = 建档立卡脱贫户
focus-group-disabled = 残疾儿童少年
focus-group-economically-poor = 贫困生
focus-group-academically-struggling = 学困生
focus-group-grade8-or-above = 八年级及以上
recipient-township-government = 乡镇政府
recipient-county-bureau = 县教育局
registry-issue-not-on-roll = 适龄儿童未在任何学校学籍中
registry-issue-nominal-registration = 空挂户籍
registry-issue-duplicate-registration = 重复户籍
registry-issue-wrong-registration = 户籍错误
registry-issue-cancelled-registration = 注销户籍
