/** Words of the institution console pages. Every key exists in both languages (test/web-i18n.test.ts). */
export const institution = {
  zh: {
    nav: { candidates: '考生与报考', bills: '集体缴费订单', reviews: '资格复核' },
    candidates: {
      title: '本机构考生', sitting: '考次', allSittings: '全部考次', name: '姓名', idNumber: '证件号码', subject: '报考科目', fee: '费用',
      status: '状态', seat: '考点 / 场次', select: '选择', createBill: '为选中的 {{count}} 项生成集体缴费订单', total: '合计 {{amount}} 元',
      noneSelectable: '没有可由本机构缴费的未缴费报考。', more: '加载更多', empty: '暂无考生', ownedByCandidate: '考生本人报考',
      deleteRegistration: '删除', deleteConfirm: '确定删除该考生的这项报考？座位将释放。', deleted: '已删除',
    },
    bills: {
      title: '集体缴费订单', billNo: '订单号', state: '状态', amount: '金额', items: '项数', createdAt: '创建时间', open: '查看', empty: '暂无订单', more: '加载更多',
    },
  },
  en: {
    nav: { candidates: 'Candidates and registrations', bills: 'Batch bills', reviews: 'Reviews' },
    candidates: {
      title: 'Our candidates', sitting: 'Sitting', allSittings: 'All sittings', name: 'Name', idNumber: 'ID number', subject: 'Subject', fee: 'Fee',
      status: 'Status', seat: 'Site / time', select: 'Select', createBill: 'Create a batch bill for the {{count}} selected', total: 'Total ¥{{amount}}',
      noneSelectable: 'No unpaid registration can be paid by this institution.', more: 'Load more', empty: 'No candidates yet', ownedByCandidate: 'Registered by the candidate',
      deleteRegistration: 'Delete', deleteConfirm: 'Delete this registration of the candidate? Its seat is released.', deleted: 'Deleted',
    },
    bills: {
      title: 'Batch bills', billNo: 'Bill number', state: 'State', amount: 'Amount', items: 'Items', createdAt: 'Created', open: 'Open', empty: 'No bills yet', more: 'Load more',
    },
  },
};
