/** Words of the staff console pages. Every key exists in both languages (test/web-i18n.test.ts). */
export const staff = {
  zh: {
    signIn: { adminTitle: '考试机构管理后台登录', institutionTitle: '学习中心 / 学校管理员登录', authority: '考试机构代码', loginName: '用户名', password: '密码', submit: '登录', required: '请填写此项' },
    password: { title: '修改密码', policy: '密码 8–16 位，须同时包含字母和数字（区分大小写），特殊字符仅限 !@#$%^&*_-，不能与当前密码相同，不能包含用户名。首次登录须先修改初始密码。', current: '当前密码', new: '新密码', again: '再次输入新密码', mismatch: '两次输入的新密码不一致', submit: '确认修改' },
    reviews: {
      title: 'CET6 报名资格复核', hint: '同名不同证件号码的考生须人工复核：请核对 CET4 成绩记录后通过，或填写原因驳回；考生在报名页看到结果。', empty: '没有待处理的复核',
      status: { PENDING: '未复核', APPROVED: '已通过', REJECTED: '已驳回' }, candidate: '考生', school: '学校', ticketNo: 'CET4 准考证号', record: 'CET4 成绩记录',
      score: '{{score}} 分', name: '姓名', idNumber: '证件号', same: '一致', different: '不一致', noRecord: '未找到记录', filedAt: '提交时间', outcome: '处理',
      approve: '通过', reject: '驳回', rejectTitle: '驳回 {{name}} 的复核申请', reason: '驳回原因（考生可见）', approved: '已通过', rejected: '已驳回',
    },
    home: { who: '当前用户', role: '角色', permissions: '可执行的操作' },
    nav: { dashboard: '概览', config: '考试配置', imports: '导入导出', queues: '待办事项', refunds: '退费', reconciliation: '对账', audit: '审计日志', staff: '工作人员', reviews: '资格复核' },
  },
  en: {
    signIn: { adminTitle: 'Exam authority console: sign in', institutionTitle: 'Learning centre / school staff: sign in', authority: 'Authority code', loginName: 'User name', password: 'Password', submit: 'Sign in', required: 'Please fill in this field' },
    password: { title: 'Change password', policy: '8–16 characters with both letters and digits (case-sensitive); special characters only from !@#$%^&*_-; not your current password and not containing your user name. The initial password must be changed at first sign-in.', current: 'Current password', new: 'New password', again: 'New password again', mismatch: 'The two new passwords differ', submit: 'Change password' },
    reviews: {
      title: 'CET6 eligibility reviews', hint: 'Candidates whose name matches a CET4 record but whose ID number does not need a person to decide: check the CET4 record, then approve, or reject with a reason. The candidate sees the outcome on the registration page.', empty: 'No reviews waiting',
      status: { PENDING: 'Waiting', APPROVED: 'Approved', REJECTED: 'Rejected' }, candidate: 'Candidate', school: 'School', ticketNo: 'CET4 ticket number', record: 'CET4 record',
      score: 'score {{score}}', name: 'Name', idNumber: 'ID number', same: 'same', different: 'different', noRecord: 'No record found', filedAt: 'Filed', outcome: 'Decision',
      approve: 'Approve', reject: 'Reject', rejectTitle: 'Reject the review of {{name}}', reason: 'Reason (shown to the candidate)', approved: 'Approved', rejected: 'Rejected',
    },
    home: { who: 'Signed in as', role: 'Role', permissions: 'Allowed actions' },
    nav: { dashboard: 'Overview', config: 'Exam set-up', imports: 'Imports and exports', queues: 'Work queues', refunds: 'Refunds', reconciliation: 'Reconciliation', audit: 'Audit log', staff: 'Staff', reviews: 'Reviews' },
  },
};
